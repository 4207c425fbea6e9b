-- The org's rules (every org's enabled rules when the org is empty: the
-- evaluator's list), newest version of each.
SELECT * FROM {{ident .Database}}.alert_rules FINAL
WHERE NOT Deleted AND ((? = '' AND Enabled) OR OrgId = ?)
ORDER BY OrgId, CreatedAt, RuleId
LIMIT 100000
