package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"

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
	r, ok := req.(*rowRequest)
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

// pushLogRows writes a request's log rows by event name: the execution
// processor's execution and node-execution records and the Agora API's
// events to their tables, the workflow graph's nodes and edges to theirs,
// everything else (starts, completions, node reports, snapshots, any OTLP
// log) to logs. A record in the map form that claims a kind but does not
// decode goes to logs, whole; a compact one that does not decode, to
// dead_letters with the reason: nothing is lost.
func (c *client) pushLogRows(ctx context.Context, req xexporterhelper.Request) error {
	r, ok := req.(*rowRequest)
	if !ok {
		return consumererror.NewPermanent(fmt.Errorf("logs: cannot insert a %T", req))
	}
	var (
		execRows, nodeRows []int
		damaged            []deadLetter
	)
	ld := plog.NewLogs()
	for i := range r.ItemsCount() {
		row := r.row(i)
		switch {
		case len(row) > 1 && row[0] == logRowCompact && row[1] == rowExecution:
			execRows = append(execRows, i)
			continue
		case len(row) > 1 && row[0] == logRowCompact && row[1] == rowNode:
			nodeRows = append(nodeRows, i)
			continue
		case len(row) > 0 && row[0] == logRowOTLP:
			one, err := logsUnmarshaler.UnmarshalLogs(row[1:])
			if err == nil {
				one.ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
				continue
			}
		}
		damaged = append(damaged, deadLetter{table: "logs", reason: errLogRow.Error(), item: fmt.Sprintf("%x", row)})
	}
	rt := route(ld)
	now := time.Now()
	execs := &recordRows[agora.Execution]{eager: rt.execs, req: r, compact: execRows, decode: agora.DecodeCompactExecution,
		window: c.cfg.Timestamps, now: now}
	nodes := &recordRows[agora.NodeExecution]{eager: rt.nodes, req: r, compact: nodeRows, decode: agora.DecodeCompactNodeExecution,
		window: c.cfg.Timestamps, now: now}
	if err := insertRecords(ctx, c, "executions", execs, executionCols); err != nil {
		return err
	}
	if err := insertRecords(ctx, c, "node_executions", nodes, nodeCols); err != nil {
		return err
	}
	if err := insertAll(ctx, c, "events", rt.events, eventCols); err != nil {
		return err
	}
	if err := insertAll(ctx, c, "workflow_nodes", rt.gnodes, graphNodeCols); err != nil {
		return err
	}
	if err := insertAll(ctx, c, "workflow_edges", rt.gedges, graphEdgeCols); err != nil {
		return err
	}
	if err := insertAll(ctx, c, "logs", rt.other, logCols); err != nil {
		return err
	}
	if err := c.storeDeadLetters(ctx, damaged); err != nil {
		return err
	}
	r.release()
	return nil
}

// insertRecords inserts a record table's rows with a builder of the list.
func insertRecords[R any, C columns[record[R]]](ctx context.Context, c *client, table string, rs *recordRows[R], pool *freeList[C]) error {
	if rs.len() == 0 {
		return nil
	}
	cols := pool.get()
	defer pool.put(cols)
	rs.cols = cols
	return c.insertRows(ctx, table, rs)
}

// routed are log records by the table they go to.
type routed struct {
	execs  []record[agora.Execution]
	nodes  []record[agora.NodeExecution]
	events []record[agora.Event]
	gnodes []record[agora.GraphNode]
	gedges []record[agora.GraphEdge]
	other  []logItem
}

// route decodes each record for its table; one that claims a kind but
// does not decode goes to logs.
func route(ld plog.Logs) routed {
	var rt routed
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				it := logItem{rl, sl, lr}
				var err error
				switch lr.EventName() {
				case agora.EventExecutionRecord:
					var x agora.Execution
					if x, err = agora.DecodeExecution(lr); err == nil {
						rt.execs = append(rt.execs, newRecord(it, x))
						continue
					}
				case agora.EventNodeExecutionRecord:
					var n agora.NodeExecution
					if n, err = agora.DecodeNodeExecution(lr); err == nil {
						rt.nodes = append(rt.nodes, newRecord(it, n))
						continue
					}
				case agora.EventAgora:
					var e agora.Event
					if e, err = agora.DecodeEvent(lr); err == nil {
						rt.events = append(rt.events, newRecord(it, e))
						continue
					}
				case agora.EventGraphNode:
					var n agora.GraphNode
					if n, err = agora.DecodeGraphNode(lr); err == nil {
						rt.gnodes = append(rt.gnodes, newRecord(it, n))
						continue
					}
				case agora.EventGraphEdge:
					var e agora.GraphEdge
					if e, err = agora.DecodeGraphEdge(lr); err == nil {
						rt.gedges = append(rt.gedges, newRecord(it, e))
						continue
					}
				}
				rt.other = append(rt.other, it)
			}
		}
	}
	return rt
}
