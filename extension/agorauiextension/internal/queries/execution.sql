SELECT * EXCEPT (OrgId, Deleted, Version)
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND ExecutionId = ? AND NOT Deleted
-- Versions of an execution share a start date (the processor keeps it), so
-- FINAL may work partition by partition, reading only the days asked for.
SETTINGS do_not_merge_across_partitions_select_final = 1
