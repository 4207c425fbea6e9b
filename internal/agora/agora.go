// Package agora is the project's shared vocabulary: attribute names and
// domain types that receivers, processors, exporters and tools agree on.
// Define a name here once; never spell it again elsewhere.
package agora

// Resource attributes stamped by the tenant processor (or the agora
// receiver) from the authenticated API key. They decide which organization
// a row belongs to; a sender's own values are always overwritten.
const (
	AttrOrgID   = "agora.org.id"
	AttrOrgName = "agora.org.name"
)

// Auth data attribute names set by the API-key authenticator in the
// request's client.Info.
const (
	AuthOrgID   = "agora.org.id"
	AuthOrgName = "agora.org.name"
	AuthKeyID   = "agora.key.id"
	AuthKeyName = "agora.key.name"
)

// Attributes on every record the Agora API produces (log records and spans).
const (
	AttrExecutionID  = "agora.execution.id"
	AttrProjectID    = "agora.project.id"
	AttrProjectName  = "agora.project.name"
	AttrWorkflowID   = "agora.workflow.id"
	AttrWorkflowName = "agora.workflow.name"
	// AttrItemID is a log record's own id (node execution, event, snapshot):
	// deterministic, so a retried request stores once.
	AttrItemID = "agora.item.id"
	// AttrNodeID names the node (by name, per workflow) of a node record.
	AttrNodeID = "agora.node.id"
)

// Span attributes that carry the Agora API's top-level span fields.
const (
	AttrTokensUsed    = "agora.tokens_used"
	AttrEstimatedCost = "agora.estimated_cost"
)

// Event names of the log records the Agora API produces, one per item, in
// the OTel events style. The record's TraceID is the execution id.
const (
	EventExecutionStarted   = "agora.execution.started"
	EventExecutionCompleted = "agora.execution.completed"
	EventNodeReported       = "agora.node.reported"
	EventAgora              = "agora.event"
	EventStateSnapshot      = "agora.state.snapshot"

	// Records the execution processor folds from all of the above and from
	// agora_tracer spans: complete, current state, emitted when they change.
	EventExecutionRecord     = "agora.execution"
	EventNodeExecutionRecord = "agora.node_execution"
)

// DefaultProjectName is the project of a start that names none.
const DefaultProjectName = "Default Project"

// Statuses the wire contract allows.
var (
	ExecutionStatuses = []string{"running", "success", "error", "timeout"}
	NodeStatuses      = []string{"running", "success", "error", "skipped"}
)
