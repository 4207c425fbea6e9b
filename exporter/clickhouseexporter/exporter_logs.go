package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// logsExporter writes log records by event name: execution records, node
// executions and events to their tables, every other record (execution starts and completions,
// snapshots, plain OTLP logs) to logs.
type logsExporter struct {
	*client
	execSQL, nodeSQL, eventSQL, logSQL string
}

func newLogsExporter(cfg *Config, logger *zap.Logger) (*logsExporter, error) {
	e := &logsExporter{client: newClient(cfg, logger)}
	for name, dst := range map[string]*string{
		"executions_insert.sql": &e.execSQL, "node_executions_insert.sql": &e.nodeSQL,
		"events_insert.sql": &e.eventSQL, "logs_insert.sql": &e.logSQL,
	} {
		sql, err := sqltemplates.Render(name, e.data)
		if err != nil {
			return nil, err
		}
		*dst = sql
	}
	return e, nil
}

func (e *logsExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	execs, nodes, events, other := &executionColumns{}, newNodeColumns(ld.LogRecordCount()), &eventColumns{}, &logColumns{}
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource().Attributes()
		org := agora.Str(res, agora.AttrOrgID)
		var resAttrs *attrMap // built only if a record goes to logs
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if e.appendAgora(org, lr, execs, nodes, events) {
					continue
				}
				if resAttrs == nil {
					resAttrs = attributesToMap(res)
				}
				other.append(org, agora.Str(res, agora.ResourceService), resAttrs, sl.Scope().Name(), lr)
			}
		}
	}
	if len(execs.id) > 0 {
		if err := e.insert(ctx, "executions", e.execSQL, execs.columns()); err != nil {
			return err
		}
	}
	if nodes.len() > 0 {
		if err := e.insert(ctx, "node_executions", e.nodeSQL, nodes.columns()); err != nil {
			return err
		}
	}
	if len(events.id) > 0 {
		if err := e.insert(ctx, "events", e.eventSQL, events.columns()); err != nil {
			return err
		}
	}
	if len(other.timestamp) > 0 {
		return e.insert(ctx, "logs", e.logSQL, other.columns())
	}
	return nil
}

// appendAgora stores node executions and events in their tables. A record
// that claims to be one but does not decode goes to logs, whole: nothing is lost.
func (e *logsExporter) appendAgora(org string, lr plog.LogRecord, execs *executionColumns, nodes *nodeColumns, events *eventColumns) bool {
	var err error
	switch lr.EventName() {
	case agora.EventExecutionRecord:
		var x agora.Execution
		if x, err = agora.DecodeExecution(lr); err == nil {
			execs.append(org, &x, version(lr))
			return true
		}
	// The SDK's report and the processor's folded record are versions of
	// the same node execution: the newest wins.
	case agora.EventNodeReported, agora.EventNodeExecutionRecord:
		var n agora.NodeExecution
		if n, err = agora.DecodeNodeExecution(lr); err == nil {
			nodes.append(org, &n, version(lr))
			return true
		}
	case agora.EventAgora:
		var ev agora.Event
		if ev, err = agora.DecodeEvent(lr); err == nil {
			events.append(org, &ev)
			return true
		}
	default:
		return false
	}
	e.logger.Warn("record does not decode; stored in logs instead", zap.String("event_name", lr.EventName()), zap.Error(err))
	return false
}

// version orders the versions of a record: when the collector received it.
// It travels with the record, so an exporter retry inserts an identical block.
func version(lr plog.LogRecord) time.Time {
	if lr.ObservedTimestamp() != 0 {
		return lr.ObservedTimestamp().AsTime()
	}
	return lr.Timestamp().AsTime()
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

// jsonText is a value as JSON text ("" when absent): maps and lists as
// objects and arrays, a string quoted.
func jsonText(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return ""
	case pcommon.ValueTypeStr:
		b, _ := json.Marshal(v.Str())
		return string(b)
	}
	return v.AsString()
}

type nodeColumns struct {
	orgID                                        []string
	executionID, id, projectID, workflowID, node []uuid.UUID
	projectName, workflowName                    []string
	nodeName, nodeType, status                   []string
	startedAt                                    []time.Time
	completedAt                                  []*time.Time
	prep, exec, post, cost                       []*float64
	retryCount                                   []uint32
	errorMessage, nextAction, input, output      []string
	promptTokens, completionTokens, totalTokens  []*int64
	deleted                                      []bool
	version                                      []time.Time
}

// newNodeColumns sizes every column for n rows: most records of a batch are
// node executions, and regrowing 26 slices costs more than the spare room.
func newNodeColumns(n int) *nodeColumns {
	return &nodeColumns{
		orgID: make([]string, 0, n), executionID: make([]uuid.UUID, 0, n), id: make([]uuid.UUID, 0, n),
		projectID: make([]uuid.UUID, 0, n), workflowID: make([]uuid.UUID, 0, n), node: make([]uuid.UUID, 0, n),
		projectName: make([]string, 0, n), workflowName: make([]string, 0, n),
		nodeName: make([]string, 0, n), nodeType: make([]string, 0, n), status: make([]string, 0, n),
		startedAt: make([]time.Time, 0, n), completedAt: make([]*time.Time, 0, n),
		prep: make([]*float64, 0, n), exec: make([]*float64, 0, n), post: make([]*float64, 0, n), cost: make([]*float64, 0, n),
		retryCount: make([]uint32, 0, n), errorMessage: make([]string, 0, n), nextAction: make([]string, 0, n),
		input: make([]string, 0, n), output: make([]string, 0, n),
		promptTokens: make([]*int64, 0, n), completionTokens: make([]*int64, 0, n), totalTokens: make([]*int64, 0, n),
		deleted: make([]bool, 0, n), version: make([]time.Time, 0, n),
	}
}

func (c *nodeColumns) len() int { return len(c.id) }

func (c *nodeColumns) append(org string, n *agora.NodeExecution, v time.Time) {
	c.orgID = append(c.orgID, org)
	c.executionID = append(c.executionID, n.ExecutionID)
	c.id = append(c.id, n.ID)
	c.projectID = append(c.projectID, n.ProjectID)
	c.projectName = append(c.projectName, n.ProjectName)
	c.workflowID = append(c.workflowID, n.WorkflowID)
	c.workflowName = append(c.workflowName, n.WorkflowName)
	c.node = append(c.node, n.NodeID)
	c.nodeName = append(c.nodeName, n.NodeName)
	c.nodeType = append(c.nodeType, n.NodeType)
	c.status = append(c.status, string(n.Status))
	c.startedAt = append(c.startedAt, n.StartedAt)
	c.completedAt = append(c.completedAt, n.CompletedAt)
	c.prep = append(c.prep, n.PrepDurationMs)
	c.exec = append(c.exec, n.ExecDurationMs)
	c.post = append(c.post, n.PostDurationMs)
	c.retryCount = append(c.retryCount, clampU32(n.RetryCount))
	c.errorMessage = append(c.errorMessage, n.ErrorMessage)
	c.nextAction = append(c.nextAction, n.NextAction)
	c.input = append(c.input, jsonText(n.Input))
	c.output = append(c.output, jsonText(n.Output))
	c.promptTokens = append(c.promptTokens, n.PromptTokens)
	c.completionTokens = append(c.completionTokens, n.CompletionTokens)
	c.totalTokens = append(c.totalTokens, n.TotalTokens)
	c.cost = append(c.cost, n.EstimatedCost)
	c.deleted = append(c.deleted, n.Deleted)
	c.version = append(c.version, v)
}

// columns are in node_executions_insert.sql order.
func (c *nodeColumns) columns() []any {
	return []any{
		c.orgID, c.executionID, c.id, c.projectID, c.projectName, c.workflowID, c.workflowName,
		c.node, c.nodeName, c.nodeType, c.status, c.startedAt, c.completedAt,
		c.prep, c.exec, c.post, c.retryCount, c.errorMessage, c.nextAction,
		c.input, c.output, c.promptTokens, c.completionTokens, c.totalTokens, c.cost, c.deleted, c.version,
	}
}

type executionColumns struct {
	orgID                                       []string
	id, projectID, workflowID                   []uuid.UUID
	projectName, workflowName, status           []string
	startedAt                                   []time.Time
	completedAt                                 []*time.Time
	duration                                    []*float64
	errorMessage, input, output                 []string
	nodeCount, errorCount, retryCount           []uint32
	promptTokens, completionTokens, totalTokens []int64
	cost                                        []float64
	lastSeen                                    []time.Time
	source                                      []string
	traceIDs                                    [][]string
	truncated, deleted                          []bool
	version                                     []time.Time
}

func (c *executionColumns) append(org string, x *agora.Execution, v time.Time) {
	c.orgID = append(c.orgID, org)
	c.id = append(c.id, x.ExecutionID)
	c.projectID = append(c.projectID, x.ProjectID)
	c.projectName = append(c.projectName, x.ProjectName)
	c.workflowID = append(c.workflowID, x.WorkflowID)
	c.workflowName = append(c.workflowName, x.WorkflowName)
	c.status = append(c.status, string(x.Status))
	c.startedAt = append(c.startedAt, x.StartedAt)
	c.completedAt = append(c.completedAt, x.CompletedAt)
	c.duration = append(c.duration, x.DurationMs)
	c.errorMessage = append(c.errorMessage, x.ErrorMessage)
	c.input = append(c.input, jsonText(x.Input))
	c.output = append(c.output, jsonText(x.Output))
	c.nodeCount = append(c.nodeCount, clampU32(x.NodeCount))
	c.errorCount = append(c.errorCount, clampU32(x.ErrorCount))
	c.retryCount = append(c.retryCount, clampU32(x.RetryCount))
	c.promptTokens = append(c.promptTokens, x.PromptTokens)
	c.completionTokens = append(c.completionTokens, x.CompletionTokens)
	c.totalTokens = append(c.totalTokens, x.TotalTokens)
	c.cost = append(c.cost, x.EstimatedCost)
	c.lastSeen = append(c.lastSeen, x.LastSeen)
	c.source = append(c.source, x.Source)
	c.traceIDs = append(c.traceIDs, x.TraceIDs)
	c.truncated = append(c.truncated, x.Truncated)
	c.deleted = append(c.deleted, x.Deleted)
	c.version = append(c.version, v)
}

// columns are in executions_insert.sql order.
func (c *executionColumns) columns() []any {
	return []any{
		c.orgID, c.id, c.projectID, c.projectName, c.workflowID, c.workflowName, c.status, c.startedAt, c.completedAt,
		c.duration, c.errorMessage, c.input, c.output, c.nodeCount, c.errorCount, c.retryCount,
		c.promptTokens, c.completionTokens, c.totalTokens, c.cost, c.lastSeen, c.source, c.traceIDs, c.truncated, c.deleted, c.version,
	}
}

func clampU32(v int64) uint32 { return uint32(min(max(v, 0), 1<<32-1)) }

type eventColumns struct {
	orgID                             []string
	executionID, id                   []uuid.UUID
	projectName, workflowName, evType []string
	timestamp                         []time.Time
	data                              []string
}

func (c *eventColumns) append(org string, e *agora.Event) {
	c.orgID = append(c.orgID, org)
	c.executionID = append(c.executionID, e.ExecutionID)
	c.id = append(c.id, e.ID)
	c.projectName = append(c.projectName, e.ProjectName)
	c.workflowName = append(c.workflowName, e.WorkflowName)
	c.evType = append(c.evType, e.EventType)
	c.timestamp = append(c.timestamp, e.Timestamp)
	c.data = append(c.data, jsonText(e.Data))
}

// columns are in events_insert.sql order.
func (c *eventColumns) columns() []any {
	return []any{c.orgID, c.executionID, c.id, c.projectName, c.workflowName, c.evType, c.timestamp, c.data}
}

type logColumns struct {
	orgID, recordID, executionID []string
	timestamp, observed          []time.Time
	eventName, traceID, spanID   []string
	severityText                 []string
	severityNumber               []uint8
	service, body                []string
	resourceAttrs                []*attrMap
	scopeName                    []string
	logAttrs                     []*attrMap
}

func (c *logColumns) append(org, service string, resAttrs *attrMap, scope string, lr plog.LogRecord) {
	execID := ""
	if !lr.TraceID().IsEmpty() {
		execID = uuid.UUID(lr.TraceID()).String()
	}
	c.orgID = append(c.orgID, org)
	c.recordID = append(c.recordID, recordID(lr))
	c.executionID = append(c.executionID, execID)
	c.timestamp = append(c.timestamp, lr.Timestamp().AsTime())
	c.observed = append(c.observed, lr.ObservedTimestamp().AsTime())
	c.eventName = append(c.eventName, lr.EventName())
	c.traceID = append(c.traceID, lr.TraceID().String())
	c.spanID = append(c.spanID, lr.SpanID().String())
	c.severityText = append(c.severityText, lr.SeverityText())
	c.severityNumber = append(c.severityNumber, uint8(lr.SeverityNumber()))
	c.service = append(c.service, service)
	c.body = append(c.body, lr.Body().AsString())
	c.resourceAttrs = append(c.resourceAttrs, resAttrs)
	c.scopeName = append(c.scopeName, scope)
	c.logAttrs = append(c.logAttrs, attributesToMap(lr.Attributes()))
}

// columns are in logs_insert.sql order.
func (c *logColumns) columns() []any {
	return []any{
		c.orgID, c.recordID, c.executionID, c.timestamp, c.observed, c.eventName, c.traceID, c.spanID,
		c.severityText, c.severityNumber, c.service, c.body, c.resourceAttrs, c.scopeName, c.logAttrs,
	}
}
