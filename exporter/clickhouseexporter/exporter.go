package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Column builders are reused between inserts; each push takes its own.
var (
	spanCols      = newFreeList(idleBuilders, newSpanColumns)
	executionCols = newFreeList(idleBuilders, newExecutionColumns)
	nodeCols      = newFreeList(idleBuilders, newNodeColumns)
	eventCols     = newFreeList(idleBuilders, newEventColumns)
	logCols       = newFreeList(idleBuilders, newLogColumns)
	graphNodeCols = newFreeList(idleBuilders, newGraphNodeColumns)
	graphEdgeCols = newFreeList(idleBuilders, newGraphEdgeColumns)
)

// insertAll inserts one table's rows, splitting out refused ones, and keeps
// those as dead letters.
func insertAll[T item, C columns[T]](ctx context.Context, c *client, table string, items []T, pool *freeList[C]) error {
	if len(items) == 0 {
		return nil
	}
	cols := pool.get()
	defer pool.put(cols)
	return c.insertRows(ctx, table, &tableRows[T]{items: items, cols: cols, window: c.cfg.Timestamps, now: time.Now()})
}

// insertRows inserts rs, splitting out refused rows, and keeps those as
// dead letters.
func (c *client) insertRows(ctx context.Context, table string, rs rows) error {
	letters, err := c.insertSplitting(ctx, table, rs, 0, rs.len())
	if err != nil {
		return err
	}
	return c.storeDeadLetters(ctx, letters)
}

// pushSpans writes a request's span rows to the spans table.
func (c *client) pushSpans(ctx context.Context, req xexporterhelper.Request) error {
	r, ok := req.(*spanRequest)
	if !ok {
		return consumererror.NewPermanent(fmt.Errorf("spans: cannot insert a %T", req))
	}
	if r.ItemsCount() == 0 {
		return nil
	}
	cols := spanCols.get()
	defer spanCols.put(cols)
	if err := c.insertRows(ctx, "spans", &spanBlock{req: r, cols: cols}); err != nil {
		return err
	}
	r.release()
	return nil
}

func (c *client) spanConverter() spanConverter {
	return spanConverter{window: c.cfg.Timestamps, now: time.Now}
}

// pushTraces converts and writes spans, as a request that skipped the queue.
func (c *client) pushTraces(ctx context.Context, td ptrace.Traces) error {
	return c.pushSpans(ctx, c.spanConverter().convert(td))
}

// pushLogs writes log records by event name: the execution processor's
// execution and node-execution records and the Agora API's events to their
// tables, the workflow graph's nodes and edges to theirs, everything else (starts, completions, node reports, snapshots,
// any OTLP log) to logs. A record that claims a kind but does not decode goes to
// logs, whole: nothing is lost.
func (c *client) pushLogs(ctx context.Context, ld plog.Logs) error {
	var nExecs, nNodes int // the slices are sized first: their items are large
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				switch lr.EventName() {
				case agora.EventExecutionRecord:
					nExecs++
				case agora.EventNodeExecutionRecord:
					nNodes++
				}
			}
		}
	}
	var (
		execs  = make([]record[agora.Execution], 0, nExecs)
		nodes  = make([]record[agora.NodeExecution], 0, nNodes)
		events []record[agora.Event]
		gnodes []record[agora.GraphNode]
		gedges []record[agora.GraphEdge]
		other  []logItem
	)
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				it := logItem{rl, sl, lr}
				var err error
				switch lr.EventName() {
				case agora.EventExecutionRecord:
					var x agora.Execution
					if x, err = agora.DecodeExecution(lr); err == nil {
						execs = append(execs, record[agora.Execution]{it, x})
						continue
					}
				case agora.EventNodeExecutionRecord:
					var n agora.NodeExecution
					if n, err = agora.DecodeNodeExecution(lr); err == nil {
						nodes = append(nodes, record[agora.NodeExecution]{it, n})
						continue
					}
				case agora.EventAgora:
					var e agora.Event
					if e, err = agora.DecodeEvent(lr); err == nil {
						events = append(events, record[agora.Event]{it, e})
						continue
					}
				case agora.EventGraphNode:
					var n agora.GraphNode
					if n, err = agora.DecodeGraphNode(lr); err == nil {
						gnodes = append(gnodes, record[agora.GraphNode]{it, n})
						continue
					}
				case agora.EventGraphEdge:
					var e agora.GraphEdge
					if e, err = agora.DecodeGraphEdge(lr); err == nil {
						gedges = append(gedges, record[agora.GraphEdge]{it, e})
						continue
					}
				}
				other = append(other, it)
			}
		}
	}
	if err := insertAll(ctx, c, "executions", execs, executionCols); err != nil {
		return err
	}
	if err := insertAll(ctx, c, "node_executions", nodes, nodeCols); err != nil {
		return err
	}
	if err := insertAll(ctx, c, "events", events, eventCols); err != nil {
		return err
	}
	if err := insertAll(ctx, c, "workflow_nodes", gnodes, graphNodeCols); err != nil {
		return err
	}
	if err := insertAll(ctx, c, "workflow_edges", gedges, graphEdgeCols); err != nil {
		return err
	}
	return insertAll(ctx, c, "logs", other, logCols)
}
