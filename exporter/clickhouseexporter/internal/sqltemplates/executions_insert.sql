INSERT INTO {{ident .Database}}.executions (
    OrgId, ExecutionId, ProjectId, ProjectName, WorkflowId, WorkflowName, Status, StartedAt, CompletedAt,
    DurationMs, ErrorMessage, Input, Output, NodeCount, ErrorCount, RetryCount,
    PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, LastSeen, Source, TraceIds, Truncated, Deleted, Version
)
