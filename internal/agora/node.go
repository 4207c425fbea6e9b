package agora

import (
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// NodeExecution is one run of a node: as the SDK reported it
// (agora.node.reported) or as the execution processor folded it from
// reports and spans (agora.node_execution). Both are complete versions.
type NodeExecution struct {
	Scope
	ID               uuid.UUID
	NodeID           uuid.UUID // zero when the workflow is unknown
	NodeName         string
	NodeType         string
	Status           Status
	StartedAt        time.Time
	CompletedAt      *time.Time
	PrepDurationMs   *float64
	ExecDurationMs   *float64
	PostDurationMs   *float64
	ErrorMessage     string
	RetryCount       int64
	NextAction       string
	Input            pcommon.Value // input_data
	Output           pcommon.Value // output_data
	PromptTokens     *int64
	CompletionTokens *int64
	TotalTokens      *int64
	EstimatedCost    *float64
	// Model and Provider are of the node's LLM calls (the first model in
	// name order when they differ).
	Model, Provider string
	// Deleted retracts a node execution filed under a retracted execution.
	Deleted bool
}

// NodeExecutionID is the id of the run of node name that started at start:
// a re-sent report (retry, or running -> success) keeps its id.
func NodeExecutionID(exec uuid.UUID, name string, start time.Time) uuid.UUID {
	var buf [nameBuf]byte
	b := append(append(append(append(buf[:0], exec[:]...), "node_execution\x00"...), name...), 0)
	return nameUUID(start.UTC().AppendFormat(b, time.RFC3339Nano))
}

// Append writes the node execution under event: EventNodeReported for the
// SDK's report, EventNodeExecutionRecord for the processor's folded record.
func (n *NodeExecution) Append(lrs plog.LogRecordSlice, event string) plog.LogRecord {
	lr, b := newRecord(lrs, event, n.Scope, n.StartedAt, n.ID, 18)
	if n.NodeID != uuid.Nil {
		lr.Attributes().PutStr(AttrNodeID, n.NodeID.String())
	}
	b.PutStr(FieldNodeName, n.NodeName)
	b.PutStr(FieldNodeType, n.NodeType)
	b.PutStr(FieldStatus, string(n.Status))
	b.PutStr(FieldStartedAt, formatTime(n.StartedAt))
	putTime(b, FieldCompletedAt, n.CompletedAt)
	putFloat(b, FieldPrepDurationMs, n.PrepDurationMs)
	putFloat(b, FieldExecDurationMs, n.ExecDurationMs)
	putFloat(b, FieldPostDurationMs, n.PostDurationMs)
	putStrIf(b, FieldErrorMessage, n.ErrorMessage)
	b.PutInt(FieldRetryCount, n.RetryCount)
	putStrIf(b, FieldNextAction, n.NextAction)
	putValue(b, FieldInputData, n.Input)
	putValue(b, FieldOutputData, n.Output)
	putInt(b, FieldPromptTokens, n.PromptTokens)
	putInt(b, FieldCompletionTokens, n.CompletionTokens)
	putInt(b, FieldTotalTokens, n.TotalTokens)
	putFloat(b, FieldEstimatedCost, n.EstimatedCost)
	putStrIf(b, FieldModel, n.Model)
	putStrIf(b, FieldProvider, n.Provider)
	putBool(b, FieldDeleted, n.Deleted)
	return lr
}

// DecodeNodeSummary is DecodeNodeExecution for a reader that counts: a
// compact record's input and output are left empty (a shared read-only
// value), the rest is read in full.
func DecodeNodeSummary(lr plog.LogRecord) (NodeExecution, error) {
	if lr.Body().Type() == pcommon.ValueTypeBytes {
		return decodeCompactNode(lr, true)
	}
	return DecodeNodeExecution(lr)
}

// DecodeNodeExecution reads a record written by NodeExecution.Append or AppendRecord.
func DecodeNodeExecution(lr plog.LogRecord) (NodeExecution, error) {
	if lr.Body().Type() == pcommon.ValueTypeBytes {
		return decodeCompactNode(lr, false)
	}
	b, err := bodyMap(lr)
	if err != nil {
		return NodeExecution{}, err
	}
	n := NodeExecution{
		Scope:          ScopeOf(lr),
		NodeName:       Str(b, FieldNodeName),
		NodeType:       Str(b, FieldNodeType),
		Status:         Status(Str(b, FieldStatus)),
		ErrorMessage:   Str(b, FieldErrorMessage),
		NextAction:     Str(b, FieldNextAction),
		RetryCount:     getRetries(b, FieldRetryCount),
		PrepDurationMs: optDuration(b, FieldPrepDurationMs),
		ExecDurationMs: optDuration(b, FieldExecDurationMs),
		PostDurationMs: optDuration(b, FieldPostDurationMs),
		EstimatedCost:  optCost(b, FieldEstimatedCost),
		PromptTokens:   optCount(b, FieldPromptTokens), CompletionTokens: optCount(b, FieldCompletionTokens), TotalTokens: optCount(b, FieldTotalTokens),
		Input:  value(b, FieldInputData),
		Output: value(b, FieldOutputData), Deleted: getBool(b, FieldDeleted),
		Model: Str(b, FieldModel), Provider: Str(b, FieldProvider),
	}
	if n.ID, err = itemID(lr); err != nil {
		return n, err
	}
	n.NodeID, _ = uuid.Parse(Str(lr.Attributes(), AttrNodeID))
	if n.StartedAt, err = getTime(b, FieldStartedAt); err != nil {
		return n, err
	}
	n.CompletedAt, err = optTime(b, FieldCompletedAt)
	return n, err
}
