package agora

import (
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// ExecutionStart is POST /telemetry/executions/start (or a batch auto-start).
type ExecutionStart struct {
	Scope
	StartedAt time.Time
	Input     pcommon.Value // input_data; empty when not sent
}

// Append writes the start as a log record (agora.execution.started).
func (e *ExecutionStart) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventExecutionStarted, e.Scope, e.StartedAt, uuid.Nil, 4)
	b.PutStr(FieldWorkflowName, e.WorkflowName)
	b.PutStr(FieldProjectName, e.ProjectName)
	b.PutStr(FieldStartedAt, formatTime(e.StartedAt))
	putValue(b, FieldInputData, e.Input)
}

// DecodeExecutionStart reads a record written by ExecutionStart.Append.
func DecodeExecutionStart(lr plog.LogRecord) (ExecutionStart, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return ExecutionStart{}, err
	}
	st := ExecutionStart{Scope: ScopeOf(lr), Input: value(b, FieldInputData)}
	st.StartedAt, err = getTime(b, FieldStartedAt)
	return st, err
}

// ExecutionCompletion is POST /telemetry/executions/{id}/complete.
type ExecutionCompletion struct {
	Scope
	CompletedAt  time.Time
	Status       Status
	Output       pcommon.Value // output_data
	ErrorMessage string
	DurationMs   float64 // from the start time carried in the execution id
}

// Append writes the completion as a log record (agora.execution.completed).
func (e *ExecutionCompletion) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventExecutionCompleted, e.Scope, e.CompletedAt, uuid.Nil, 5)
	b.PutStr(FieldStatus, string(e.Status))
	b.PutStr(FieldCompletedAt, formatTime(e.CompletedAt))
	b.PutDouble(FieldDurationMs, e.DurationMs)
	putValue(b, FieldOutputData, e.Output)
	putStrIf(b, FieldErrorMessage, e.ErrorMessage)
}

// DecodeExecutionCompletion reads a record written by ExecutionCompletion.Append.
func DecodeExecutionCompletion(lr plog.LogRecord) (ExecutionCompletion, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return ExecutionCompletion{}, err
	}
	c := ExecutionCompletion{Scope: ScopeOf(lr), Status: Status(Str(b, FieldStatus)), Output: value(b, FieldOutputData),
		ErrorMessage: Str(b, FieldErrorMessage)}
	if d := optDuration(b, FieldDurationMs); d != nil {
		c.DurationMs = *d
	}
	c.CompletedAt, err = getTime(b, FieldCompletedAt)
	return c, err
}

// Execution is the folded record of one workflow execution: every version
// is complete, so the newest row alone is the execution.
type Execution struct {
	Scope
	Status           Status
	StartedAt        time.Time
	CompletedAt      *time.Time
	DurationMs       *float64
	ErrorMessage     string
	Input            pcommon.Value
	Output           pcommon.Value
	NodeCount        int64
	ErrorCount       int64
	RetryCount       int64
	PromptTokens     int64
	CompletionTokens int64
	TotalTokens      int64
	EstimatedCost    float64
	LastSeen         time.Time
	// Source says which paths described it: "api", "otlp" or "api+otlp".
	Source string
	// TraceIDs are the traces whose spans belong to this execution (hex):
	// the flow's own, or the traces a flow span filed under an API execution.
	TraceIDs []string
	// SessionID groups runs of one conversation or user session, when the
	// telemetry names one (gen_ai.conversation.id, session.id, …).
	SessionID string
	// UserID is the end user the run served, when the telemetry names one
	// (user.id, enduser.id, input_data.user_id).
	UserID string
	// Models are the LLM models its calls used, sorted.
	Models []string
	// Truncated: a per-execution limit was reached; some telemetry is not in it.
	Truncated bool
	// Deleted retracts an execution emitted under a trace id that a flow
	// span later filed under the API execution it named.
	Deleted bool
}

// Field names of execution records beyond the wire's.
const (
	FieldNodeCount  = "node_count"
	FieldErrorCount = "error_count"
	FieldLastSeen   = "last_seen"
	FieldSource     = "source"
	FieldTraceIDs   = "trace_ids"
	FieldTruncated  = "truncated"
	FieldDeleted    = "deleted"
	FieldSessionID  = "session_id"
	FieldUserID     = "user_id"
	FieldModels     = "models"
)

// Append writes the execution record as a log record (agora.execution).
func (e *Execution) Append(lrs plog.LogRecordSlice) plog.LogRecord {
	lr, b := newRecord(lrs, EventExecutionRecord, e.Scope, e.StartedAt, uuid.Nil, 22)
	b.PutStr(FieldStatus, string(e.Status))
	b.PutStr(FieldStartedAt, formatTime(e.StartedAt))
	putTime(b, FieldCompletedAt, e.CompletedAt)
	putFloat(b, FieldDurationMs, e.DurationMs)
	putStrIf(b, FieldErrorMessage, e.ErrorMessage)
	putValue(b, FieldInputData, e.Input)
	putValue(b, FieldOutputData, e.Output)
	b.PutInt(FieldNodeCount, e.NodeCount)
	b.PutInt(FieldErrorCount, e.ErrorCount)
	b.PutInt(FieldRetryCount, e.RetryCount)
	b.PutInt(FieldPromptTokens, e.PromptTokens)
	b.PutInt(FieldCompletionTokens, e.CompletionTokens)
	b.PutInt(FieldTotalTokens, e.TotalTokens)
	b.PutDouble(FieldEstimatedCost, e.EstimatedCost)
	b.PutStr(FieldLastSeen, formatTime(e.LastSeen))
	b.PutStr(FieldSource, e.Source)
	putStrs(b, FieldTraceIDs, e.TraceIDs)
	putStrIf(b, FieldSessionID, e.SessionID)
	putStrIf(b, FieldUserID, e.UserID)
	putStrs(b, FieldModels, e.Models)
	putBool(b, FieldTruncated, e.Truncated)
	putBool(b, FieldDeleted, e.Deleted)
	return lr
}

// DecodeExecutionSummary is DecodeExecution for a reader that counts: a
// compact record's input and output are left empty (a shared read-only
// value), the rest is read in full.
func DecodeExecutionSummary(lr plog.LogRecord) (Execution, error) {
	if lr.Body().Type() == pcommon.ValueTypeBytes {
		return decodeCompactExecution(lr, true)
	}
	return DecodeExecution(lr)
}

// DecodeExecution reads a record written by Execution.Append or AppendRecord.
func DecodeExecution(lr plog.LogRecord) (Execution, error) {
	if lr.Body().Type() == pcommon.ValueTypeBytes {
		return decodeCompactExecution(lr, false)
	}
	b, err := bodyMap(lr)
	if err != nil {
		return Execution{}, err
	}
	e := Execution{
		Scope: ScopeOf(lr), Status: Status(Str(b, FieldStatus)), ErrorMessage: Str(b, FieldErrorMessage),
		DurationMs: optDuration(b, FieldDurationMs), Input: value(b, FieldInputData), Output: value(b, FieldOutputData),
		NodeCount: getSum(b, FieldNodeCount), ErrorCount: getSum(b, FieldErrorCount), RetryCount: getSum(b, FieldRetryCount),
		PromptTokens: getSum(b, FieldPromptTokens), CompletionTokens: getSum(b, FieldCompletionTokens), TotalTokens: getSum(b, FieldTotalTokens),
		Source: Str(b, FieldSource), Truncated: getBool(b, FieldTruncated), Deleted: getBool(b, FieldDeleted),
		SessionID: Str(b, FieldSessionID), UserID: Str(b, FieldUserID), Models: getStrs(b, FieldModels), TraceIDs: getStrs(b, FieldTraceIDs),
	}
	if c := optBounded(b, FieldEstimatedCost, func(f float64) bool { return f >= 0 }); c != nil {
		e.EstimatedCost = *c // a sum of bounded costs
	}
	if e.StartedAt, err = getTime(b, FieldStartedAt); err != nil {
		return e, err
	}
	if e.LastSeen, err = getTime(b, FieldLastSeen); err != nil {
		return e, err
	}
	e.CompletedAt, err = optTime(b, FieldCompletedAt)
	return e, err
}
