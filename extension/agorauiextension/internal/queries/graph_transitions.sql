-- The workflow's edges as runs took them: within each execution, node
-- runs in start order; each consecutive pair an edge, labelled with the
-- earlier node's next action, counted.
SELECT
    tupleElement(pair, 1) AS from_node,
    tupleElement(pair, 2) AS to_node,
    tupleElement(pair, 3) AS action,
    count() AS traffic
FROM (
    SELECT arraySort(x -> tupleElement(x, 1), groupArray((StartedAt, NodeName, NextAction))) AS s
    FROM {{ident .Database}}.node_runs FINAL
    WHERE OrgId = ? AND WorkflowId = ? AND StartedAt >= ? AND StartedAt < ? AND NOT Deleted
    GROUP BY ExecutionId
    SETTINGS do_not_merge_across_partitions_select_final = 1
)
ARRAY JOIN arrayMap(i -> (tupleElement(s[i], 2), tupleElement(s[i + 1], 2), tupleElement(s[i], 3)), range(1, length(s))) AS pair
GROUP BY from_node, to_node, action
ORDER BY traffic DESC, from_node, to_node
LIMIT 2000
