SELECT TraceIds
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND ExecutionId = ? AND NOT Deleted
SETTINGS do_not_merge_across_partitions_select_final = 1
