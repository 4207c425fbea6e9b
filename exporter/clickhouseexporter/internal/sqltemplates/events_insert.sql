INSERT INTO {{ident .Database}}.events (
    OrgId, ExecutionId, EventId, ProjectName, WorkflowName, EventType, Timestamp, Data
)
