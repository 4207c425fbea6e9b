package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"encoding/binary"
	"strconv"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/cespare/xxhash/v2"
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// logItem is one log record with its resource and scope.
type logItem struct {
	rl plog.ResourceLogs
	sl plog.ScopeLogs
	lr plog.LogRecord
}

func (it logItem) org() string { return agora.Str(it.rl.Resource().Attributes(), agora.AttrOrgID) }

func (it logItem) describe() (string, string) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	it.rl.Resource().CopyTo(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	it.sl.Scope().CopyTo(sl.Scope())
	it.lr.CopyTo(sl.LogRecords().AppendEmpty())
	b, _ := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	return it.org(), string(b)
}

// record is a decoded Agora record bound for its own table: from a log
// record (logItem), or from a compact row of the queue (row).
type record[R any] struct {
	logItem
	rec   R
	orgID string
	ver   time.Time
	row   []byte
}

func newRecord[R any](it logItem, rec R) record[R] {
	return record[R]{logItem: it, rec: rec, orgID: it.org(), ver: it.version()}
}

func (r record[R]) describe() (string, string) {
	if r.row != nil {
		return describeCompactRow(r.row)
	}
	return r.logItem.describe()
}

// version orders the versions of a record: when the collector emitted or
// received it. It travels with the record, so a retry inserts the same block.
func (it logItem) version() time.Time {
	if it.lr.ObservedTimestamp() != 0 {
		return it.lr.ObservedTimestamp().AsTime()
	}
	return it.lr.Timestamp().AsTime()
}

// executionColumns are the executions table's.
type executionColumns struct {
	orgID, projectName, workflowName, status, source *dictColumn
	id, projectID, workflowID                        proto.ColUUID
	startedAt, lastSeen                              *proto.ColDateTime64
	completedAt                                      *proto.ColNullable[time.Time]
	duration                                         *proto.ColNullable[float64]
	errorMessage, inputData, output                  proto.ColStr
	nodeCount, errorCount, retryCount                proto.ColUInt32
	promptTokens, completionTokens, totalTokens      proto.ColInt64
	cost                                             proto.ColFloat64
	traceIDs                                         *proto.ColArr[string]
	truncated, deleted                               proto.ColBool
	version                                          *proto.ColDateTime64
	sessionID, userID                                proto.ColStr
	models                                           *proto.ColArr[string]
}

func newExecutionColumns() *executionColumns {
	return &executionColumns{orgID: newDict(), projectName: newDict(), workflowName: newDict(), status: newDict(), source: newDict(),
		startedAt: dateTime64(proto.PrecisionMicro), lastSeen: dateTime64(proto.PrecisionMicro),
		completedAt: dateTime64(proto.PrecisionMicro).Nullable(), duration: new(proto.ColFloat64).Nullable(),
		traceIDs: new(proto.ColStr).Array(), version: dateTime64(proto.PrecisionNano), models: proto.NewArray[string](newDict())}
}

func (c *executionColumns) input() proto.Input {
	return proto.Input{
		{Name: "OrgId", Data: c.orgID}, {Name: "ExecutionId", Data: &c.id}, {Name: "ProjectId", Data: &c.projectID},
		{Name: "ProjectName", Data: c.projectName}, {Name: "WorkflowId", Data: &c.workflowID}, {Name: "WorkflowName", Data: c.workflowName},
		{Name: "Status", Data: c.status}, {Name: "StartedAt", Data: c.startedAt}, {Name: "CompletedAt", Data: c.completedAt},
		{Name: "DurationMs", Data: c.duration}, {Name: "ErrorMessage", Data: &c.errorMessage}, {Name: "Input", Data: &c.inputData},
		{Name: "Output", Data: &c.output}, {Name: "NodeCount", Data: &c.nodeCount}, {Name: "ErrorCount", Data: &c.errorCount},
		{Name: "RetryCount", Data: &c.retryCount}, {Name: "PromptTokens", Data: &c.promptTokens},
		{Name: "CompletionTokens", Data: &c.completionTokens}, {Name: "TotalTokens", Data: &c.totalTokens},
		{Name: "EstimatedCost", Data: &c.cost}, {Name: "LastSeen", Data: c.lastSeen}, {Name: "Source", Data: c.source},
		{Name: "TraceIds", Data: c.traceIDs}, {Name: "Truncated", Data: &c.truncated}, {Name: "Deleted", Data: &c.deleted},
		{Name: "Version", Data: c.version}, {Name: "SessionId", Data: &c.sessionID}, {Name: "UserId", Data: &c.userID},
		{Name: "Models", Data: c.models},
	}
}

func (c *executionColumns) reset() { resetAll(c.input()) }

// append: the processor keeps StartedAt on one day across versions (the
// partition); it is not clamped here, or versions could change partition.
func (c *executionColumns) append(it record[agora.Execution], _ agora.TimeWindow, _ time.Time) {
	x := &it.rec
	c.orgID.Append(it.orgID)
	c.id.Append(x.ExecutionID)
	c.projectID.Append(x.ProjectID)
	c.projectName.Append(x.ProjectName)
	c.workflowID.Append(x.WorkflowID)
	c.workflowName.Append(x.WorkflowName)
	c.status.Append(string(x.Status))
	c.startedAt.Append(x.StartedAt)
	nullTime(c.completedAt, x.CompletedAt)
	nullFloat(c.duration, x.DurationMs)
	c.errorMessage.Append(x.ErrorMessage)
	appendJSONText(&c.inputData, x.Input)
	appendJSONText(&c.output, x.Output)
	c.nodeCount.Append(clampU32(x.NodeCount))
	c.errorCount.Append(clampU32(x.ErrorCount))
	c.retryCount.Append(clampU32(x.RetryCount))
	c.promptTokens.Append(x.PromptTokens)
	c.completionTokens.Append(x.CompletionTokens)
	c.totalTokens.Append(x.TotalTokens)
	c.cost.Append(x.EstimatedCost)
	c.lastSeen.Append(x.LastSeen)
	c.source.Append(x.Source)
	c.traceIDs.Append(x.TraceIDs)
	c.truncated.Append(x.Truncated)
	c.deleted.Append(x.Deleted)
	c.version.Append(it.ver)
	c.sessionID.Append(x.SessionID)
	c.userID.Append(x.UserID)
	c.models.Append(x.Models)
}

// nodeColumns are the node_executions table's.
type nodeColumns struct {
	orgID, projectName, workflowName, nodeName, nodeType, status, nextAction *dictColumn
	executionID, id, projectID, workflowID, nodeID                           proto.ColUUID
	startedAt                                                                *proto.ColDateTime64
	completedAt                                                              *proto.ColNullable[time.Time]
	prep, exec, post, cost                                                   *proto.ColNullable[float64]
	retryCount                                                               proto.ColUInt32
	errorMessage, inputData, output                                          proto.ColStr
	promptTokens, completionTokens, totalTokens                              *proto.ColNullable[int64]
	deleted                                                                  proto.ColBool
	version                                                                  *proto.ColDateTime64
	model, provider                                                          *dictColumn
}

func newNodeColumns() *nodeColumns {
	return &nodeColumns{orgID: newDict(), projectName: newDict(), workflowName: newDict(), nodeName: newDict(), nodeType: newDict(),
		status: newDict(), nextAction: newDict(), startedAt: dateTime64(proto.PrecisionMicro),
		completedAt: dateTime64(proto.PrecisionMicro).Nullable(), prep: new(proto.ColFloat64).Nullable(),
		exec: new(proto.ColFloat64).Nullable(), post: new(proto.ColFloat64).Nullable(), cost: new(proto.ColFloat64).Nullable(),
		promptTokens: new(proto.ColInt64).Nullable(), completionTokens: new(proto.ColInt64).Nullable(),
		totalTokens: new(proto.ColInt64).Nullable(), version: dateTime64(proto.PrecisionNano), model: newDict(), provider: newDict()}
}

func (c *nodeColumns) input() proto.Input {
	return proto.Input{
		{Name: "OrgId", Data: c.orgID}, {Name: "ExecutionId", Data: &c.executionID}, {Name: "NodeExecutionId", Data: &c.id},
		{Name: "ProjectId", Data: &c.projectID}, {Name: "ProjectName", Data: c.projectName}, {Name: "WorkflowId", Data: &c.workflowID},
		{Name: "WorkflowName", Data: c.workflowName}, {Name: "NodeId", Data: &c.nodeID}, {Name: "NodeName", Data: c.nodeName},
		{Name: "NodeType", Data: c.nodeType}, {Name: "Status", Data: c.status}, {Name: "StartedAt", Data: c.startedAt},
		{Name: "CompletedAt", Data: c.completedAt}, {Name: "PrepDurationMs", Data: c.prep}, {Name: "ExecDurationMs", Data: c.exec},
		{Name: "PostDurationMs", Data: c.post}, {Name: "RetryCount", Data: &c.retryCount}, {Name: "ErrorMessage", Data: &c.errorMessage},
		{Name: "NextAction", Data: c.nextAction}, {Name: "Input", Data: &c.inputData}, {Name: "Output", Data: &c.output},
		{Name: "PromptTokens", Data: c.promptTokens}, {Name: "CompletionTokens", Data: c.completionTokens},
		{Name: "TotalTokens", Data: c.totalTokens}, {Name: "EstimatedCost", Data: c.cost}, {Name: "Deleted", Data: &c.deleted},
		{Name: "Version", Data: c.version}, {Name: "Model", Data: c.model}, {Name: "Provider", Data: c.provider},
	}
}

func (c *nodeColumns) reset() { resetAll(c.input()) }

// append clamps StartedAt into the window: node_executions is read with
// FINAL across partitions, so a version that moved partition is still one row.
func (c *nodeColumns) append(it record[agora.NodeExecution], window agora.TimeWindow, now time.Time) {
	n := &it.rec
	c.orgID.Append(it.orgID)
	c.executionID.Append(n.ExecutionID)
	c.id.Append(n.ID)
	c.projectID.Append(n.ProjectID)
	c.projectName.Append(n.ProjectName)
	c.workflowID.Append(n.WorkflowID)
	c.workflowName.Append(n.WorkflowName)
	c.nodeID.Append(n.NodeID)
	c.nodeName.Append(n.NodeName)
	c.nodeType.Append(n.NodeType)
	c.status.Append(string(n.Status))
	start, _ := window.Clamp(n.StartedAt, now)
	c.startedAt.Append(start)
	nullTime(c.completedAt, n.CompletedAt)
	nullFloat(c.prep, n.PrepDurationMs)
	nullFloat(c.exec, n.ExecDurationMs)
	nullFloat(c.post, n.PostDurationMs)
	c.retryCount.Append(clampU32(n.RetryCount))
	c.errorMessage.Append(n.ErrorMessage)
	c.nextAction.Append(n.NextAction)
	appendJSONText(&c.inputData, n.Input)
	appendJSONText(&c.output, n.Output)
	nullInt(c.promptTokens, n.PromptTokens)
	nullInt(c.completionTokens, n.CompletionTokens)
	nullInt(c.totalTokens, n.TotalTokens)
	nullFloat(c.cost, n.EstimatedCost)
	c.deleted.Append(n.Deleted)
	c.version.Append(it.ver)
	c.model.Append(n.Model)
	c.provider.Append(n.Provider)
}

// eventColumns are the events table's.
type eventColumns struct {
	orgID, projectName, workflowName, eventType *dictColumn
	executionID, id                             proto.ColUUID
	timestamp                                   *proto.ColDateTime64
	data                                        proto.ColStr
}

func newEventColumns() *eventColumns {
	return &eventColumns{orgID: newDict(), projectName: newDict(), workflowName: newDict(), eventType: newDict(), timestamp: dateTime64(proto.PrecisionMicro)}
}

func (c *eventColumns) input() proto.Input {
	return proto.Input{
		{Name: "OrgId", Data: c.orgID}, {Name: "ExecutionId", Data: &c.executionID}, {Name: "EventId", Data: &c.id},
		{Name: "ProjectName", Data: c.projectName}, {Name: "WorkflowName", Data: c.workflowName},
		{Name: "EventType", Data: c.eventType}, {Name: "Timestamp", Data: c.timestamp}, {Name: "Data", Data: &c.data},
	}
}

func (c *eventColumns) reset() { resetAll(c.input()) }

func (c *eventColumns) append(it record[agora.Event], window agora.TimeWindow, now time.Time) {
	e := &it.rec
	c.orgID.Append(it.orgID)
	c.executionID.Append(e.ExecutionID)
	c.id.Append(e.ID)
	c.projectName.Append(e.ProjectName)
	c.workflowName.Append(e.WorkflowName)
	c.eventType.Append(e.EventType)
	ts, _ := window.Clamp(e.Timestamp, now)
	c.timestamp.Append(ts)
	appendJSONText(&c.data, e.Data)
}

// logColumns are the logs table's: every record with no table of its own.
type logColumns struct {
	orgID, eventName, severityText, service *dictColumn
	recordID, traceID, spanID               proto.ColStr
	executionID                             proto.ColUUID
	body, scopeName                         proto.ColStr
	timestamp, observed                     *proto.ColDateTime64
	severityNumber                          proto.ColUInt8
	resourceAttrs, logAttrs                 attrMap
}

func newLogColumns() *logColumns {
	return &logColumns{orgID: newDict(), eventName: newDict(), severityText: newDict(), service: newDict(),
		timestamp: dateTime64(proto.PrecisionNano), observed: dateTime64(proto.PrecisionNano),
		resourceAttrs: newAttrMap(), logAttrs: newAttrMap()}
}

func (c *logColumns) input() proto.Input {
	return proto.Input{
		{Name: "OrgId", Data: c.orgID}, {Name: "RecordId", Data: &c.recordID}, {Name: "ExecutionId", Data: &c.executionID},
		{Name: "Timestamp", Data: c.timestamp}, {Name: "ObservedTimestamp", Data: c.observed}, {Name: "EventName", Data: c.eventName},
		{Name: "TraceId", Data: &c.traceID}, {Name: "SpanId", Data: &c.spanID}, {Name: "SeverityText", Data: c.severityText},
		{Name: "SeverityNumber", Data: &c.severityNumber}, {Name: "ServiceName", Data: c.service}, {Name: "Body", Data: &c.body},
		{Name: "ResourceAttributes", Data: c.resourceAttrs.col}, {Name: "ScopeName", Data: &c.scopeName},
		{Name: "LogAttributes", Data: c.logAttrs.col},
	}
}

func (c *logColumns) reset() { resetAll(c.input()) }

func (c *logColumns) append(it logItem, window agora.TimeWindow, now time.Time) {
	lr, res := it.lr, it.rl.Resource().Attributes()
	c.orgID.Append(it.org())
	c.recordID.Append(recordID(lr))
	tid, sid := lr.TraceID(), lr.SpanID()
	c.executionID.Append(uuid.UUID(tid)) // zero without a trace: no execution
	ts, clamped := window.Clamp(lr.Timestamp().AsTime(), now)
	c.timestamp.Append(ts)
	c.observed.Append(lr.ObservedTimestamp().AsTime())
	c.eventName.Append(lr.EventName())
	appendHex(&c.traceID, tid[:], tid.IsEmpty())
	appendHex(&c.spanID, sid[:], sid.IsEmpty())
	c.severityText.Append(lr.SeverityText())
	c.severityNumber.Append(uint8(lr.SeverityNumber()))
	c.service.Append(agora.Str(res, agora.ResourceService))
	c.body.Append(lr.Body().AsString())
	c.resourceAttrs.appendResource(res)
	c.scopeName.Append(it.sl.Scope().Name())
	for k, v := range lr.Attributes().All() {
		c.logAttrs.putValue(k, v)
	}
	if clamped {
		c.logAttrs.put(agora.AttrOriginalTimestamp, lr.Timestamp().AsTime().UTC().Format(time.RFC3339Nano))
	}
	c.logAttrs.end()
}

// recordID identifies a log record across re-sends (see logs_table.sql).
func recordID(lr plog.LogRecord) string {
	if id := agora.Str(lr.Attributes(), agora.AttrItemID); id != "" {
		return id
	}
	switch lr.EventName() {
	case agora.EventExecutionStarted, agora.EventExecutionCompleted:
		return agora.ItemID(uuid.UUID(lr.TraceID()), lr.EventName()).String()
	}
	// Everything but the receive time, which differs between re-sends.
	h := xxhash.New()
	var ts [8]byte
	binary.LittleEndian.PutUint64(ts[:], uint64(lr.Timestamp()))
	_, _ = h.Write(ts[:])
	tid, sid := lr.TraceID(), lr.SpanID()
	_, _ = h.Write(tid[:])
	_, _ = h.Write(sid[:])
	_, _ = h.WriteString(lr.EventName())
	_, _ = h.WriteString(lr.SeverityText())
	_, _ = h.WriteString(lr.Body().AsString())
	for k, v := range lr.Attributes().All() {
		_, _ = h.WriteString(k)
		_, _ = h.WriteString(v.AsString())
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

func resetAll(input proto.Input) {
	for _, col := range input {
		col.Data.(proto.Resettable).Reset()
	}
}
