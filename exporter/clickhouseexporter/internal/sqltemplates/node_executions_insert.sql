INSERT INTO {{ident .Database}}.node_executions (
    OrgId, ExecutionId, NodeExecutionId, ProjectId, ProjectName, WorkflowId, WorkflowName,
    NodeId, NodeName, NodeType, Status, StartedAt, CompletedAt,
    PrepDurationMs, ExecDurationMs, PostDurationMs, RetryCount, ErrorMessage, NextAction,
    Input, Output, PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, Deleted, Version
)
