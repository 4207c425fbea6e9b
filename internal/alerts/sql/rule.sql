SELECT * FROM {{ident .Database}}.alert_rules FINAL
WHERE OrgId = ? AND RuleId = ? AND NOT Deleted
