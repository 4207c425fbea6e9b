// Package agora is the project's one domain model: the vocabulary (every
// attribute, event and field name), the records (execution start and
// completion, node execution, execution, event, state snapshot) with their
// one log-record codec, the stored row types, and the deterministic ids.
// Components import these names; they never spell them.
package agora

// Resource attributes stamped by the tenant processor (or the agora
// receiver) from the authenticated API key. They decide which organization
// a row belongs to; a sender's own values are always overwritten.
const (
	AttrOrgID   = "agora.org.id"
	AttrOrgName = "agora.org.name"
)

// TenantAttr reports whether a resource attribute is one the tenant
// processor stamps. A stored row keeps the org in its OrgId column, so
// tables leave these out of ResourceAttributes (55 bytes of a 330-byte
// span row, repeated on every row).
func TenantAttr(k string) bool { return k == AttrOrgID || k == AttrOrgName }

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

// AttrOriginalTimestamp keeps a row's own time when the exporter clamped it
// into the stored time window (see TimeWindow).
const AttrOriginalTimestamp = "agora.original_timestamp"

// Span attributes that carry the Agora API's top-level span fields.
const (
	AttrTokensUsed    = "agora.tokens_used"
	AttrEstimatedCost = "agora.estimated_cost"
)

// Resource attributes read from senders.
const (
	// ResourceProject names the project of agora_tracer spans; without it
	// the project is the service name.
	ResourceProject = "agora.project"
	ResourceService = "service.name"
)

// agora_tracer's span conventions (DESIGN §3): one trace is one execution;
// a .flow root, .node children, and .prep/.exec/.post phase spans below.
const (
	SpanAttrFlow     = "agora.flow"
	SpanAttrNode     = "agora.node"
	SpanAttrKind     = "agora.kind"
	SpanAttrNodeType = "agora.node_type"
	SpanAttrPhase    = "agora.phase"
	// SpanAttrExecutionID on a flow span names the execution the SDK also
	// started through the JSON API: both describe one run.
	SpanAttrExecutionID     = "execution_id"
	SpanAttrTotalDurationMs = "total_duration_ms"
	SpanAttrDurationMs      = "duration_ms"
	SpanAttrRetryCount      = "retry_count"
	SpanAttrNextAction      = "next_action"
	SpanAttrInput           = "input"
	SpanAttrOutput          = "output"

	KindNode       = "node"
	SpanSuffixNode = ".node"

	PhasePrep = "prep"
	PhaseExec = "exec"
	PhasePost = "post"
)

// Span event and attributes of a recorded exception (OTel semantic conventions).
const (
	EventException          = "exception"
	AttrExceptionMessage    = "exception.message"
	AttrExceptionType       = "exception.type"
	AttrExceptionStacktrace = "exception.stacktrace"
)

// LLM usage attributes, newest conventions first (OTel GenAI, OpenLLMetry's
// gen_ai/llm names, the Agora API's own fields).
var (
	UsagePromptKeys     = []string{"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.usage.prompt_tokens", "llm.token_count.prompt"}
	UsageCompletionKeys = []string{"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.usage.completion_tokens", "llm.token_count.completion"}
	UsageTotalKeys      = []string{"llm.usage.total_tokens", "gen_ai.usage.total_tokens", "llm.token_count.total", AttrTokensUsed}
	UsageCostKeys       = []string{"traceloop.cost.usd", "llm.usage.cost", "usage.cost", "gen_ai.usage.cost", AttrEstimatedCost}
	// LLMCallMarkers make a span an LLM call: only such spans count when a
	// node has any, so usage repeated on agent or phase spans counts once.
	LLMCallMarkers = []string{"gen_ai.system", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model", "llm.request.type", "llm.model_name"}
	// ModelKeys name the model that priced a call, the response's first.
	ModelKeys = []string{"gen_ai.response.model", "gen_ai.request.model", "llm.model_name"}
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

// ProcessorRecord: the event name is one only the execution processor may
// emit. A sender's record with such a name is forged: the processor keeps
// it as an ordinary log, its name moved to AttrSenderEventName.
func ProcessorRecord(eventName string) bool {
	return eventName == EventExecutionRecord || eventName == EventNodeExecutionRecord
}

// AttrRecordRepeat marks a record of the processor's whose settled
// version was emitted before (a late change re-emits it): a reader that
// counts records once, at their first settled version (the metrics
// connector), skips it. Storage keeps the body only.
const AttrRecordRepeat = "agora.record.repeat"

// AttrSenderEventName keeps the event name of a sender's record that
// claimed to be one of the processor's.
const AttrSenderEventName = "agora.sender.event_name"

// DefaultProjectName is the project of a start that names none.
const DefaultProjectName = "Default Project"

// Status is an execution's or a node execution's state.
type Status string

// Statuses the wire contract allows.
const (
	StatusRunning Status = "running"
	StatusSuccess Status = "success"
	StatusError   Status = "error"
	StatusTimeout Status = "timeout"
	StatusSkipped Status = "skipped"
)

// ExecutionStatuses and NodeStatuses are the values each record accepts.
var (
	ExecutionStatuses = []Status{StatusRunning, StatusSuccess, StatusError, StatusTimeout}
	NodeStatuses      = []Status{StatusRunning, StatusSuccess, StatusError, StatusSkipped}
)

// JoinStatuses lists statuses for a message: "running, success, error".
func JoinStatuses(ss []Status) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += string(s)
	}
	return out
}

// Settled reports whether a record in this status is done with running:
// success, error, a timeout or a skipped node. Its first settled version
// is the one counted.
func (s Status) Settled() bool {
	return s == StatusSuccess || s == StatusError || s == StatusTimeout || s == StatusSkipped
}

// Terminal reports whether the status is final: no later telemetry but an
// SDK's own completion changes it.
func (s Status) Terminal() bool { return s == StatusSuccess || s == StatusError }
