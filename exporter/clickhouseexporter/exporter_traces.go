package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"time"

	"github.com/google/uuid"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

type tracesExporter struct {
	*client
	insertSQL string
}

func newTracesExporter(cfg *Config, logger *zap.Logger) (*tracesExporter, error) {
	c := newClient(cfg, logger)
	insertSQL, err := sqltemplates.Render("spans_insert.sql", c.data)
	if err != nil {
		return nil, err
	}
	return &tracesExporter{client: c, insertSQL: insertSQL}, nil
}

func (e *tracesExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	cols := newSpanColumns(td.SpanCount())
	cols.appendTraces(td)
	return e.insert(ctx, "spans", e.insertSQL, cols.columns())
}

// spanColumns holds one insert's rows column by column, in spans_insert.sql
// order: appending whole columns skips the driver's per-row reflection.
type spanColumns struct {
	orgID, executionID                      []string
	timestamp                               []time.Time
	traceID, spanID, parentSpanID           []string
	traceState, spanName, spanKind, service []string
	resourceAttrs                           []*attrMap
	scopeName, scopeVersion                 []string
	spanAttrs                               []*attrMap
	duration                                []uint64
	statusCode, statusMessage               []string
	eventTimes                              [][]time.Time
	eventNames                              [][]string
	eventAttrs                              [][]*attrMap
	linkTraceIDs, linkSpanIDs, linkStates   [][]string
	linkAttrs                               [][]*attrMap
}

func newSpanColumns(n int) *spanColumns {
	return &spanColumns{
		orgID: make([]string, 0, n), executionID: make([]string, 0, n),
		timestamp: make([]time.Time, 0, n),
		traceID:   make([]string, 0, n), spanID: make([]string, 0, n), parentSpanID: make([]string, 0, n),
		traceState: make([]string, 0, n), spanName: make([]string, 0, n), spanKind: make([]string, 0, n), service: make([]string, 0, n),
		resourceAttrs: make([]*attrMap, 0, n),
		scopeName:     make([]string, 0, n), scopeVersion: make([]string, 0, n),
		spanAttrs:  make([]*attrMap, 0, n),
		duration:   make([]uint64, 0, n),
		statusCode: make([]string, 0, n), statusMessage: make([]string, 0, n),
		eventTimes: make([][]time.Time, 0, n), eventNames: make([][]string, 0, n), eventAttrs: make([][]*attrMap, 0, n),
		linkTraceIDs: make([][]string, 0, n), linkSpanIDs: make([][]string, 0, n), linkStates: make([][]string, 0, n),
		linkAttrs: make([][]*attrMap, 0, n),
	}
}

func (c *spanColumns) len() int { return len(c.spanID) }

func (c *spanColumns) appendTraces(td ptrace.Traces) {
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource().Attributes()
		resAttrs := attributesToMap(res)
		service, orgID := agora.Str(res, agora.ResourceService), agora.Str(res, agora.AttrOrgID)
		for _, ss := range rs.ScopeSpans().All() {
			scope := ss.Scope()
			for _, span := range ss.Spans().All() {
				c.orgID = append(c.orgID, orgID)
				c.executionID = append(c.executionID, executionID(span))
				c.timestamp = append(c.timestamp, span.StartTimestamp().AsTime())
				c.traceID = append(c.traceID, span.TraceID().String())
				c.spanID = append(c.spanID, span.SpanID().String())
				c.parentSpanID = append(c.parentSpanID, span.ParentSpanID().String())
				c.traceState = append(c.traceState, span.TraceState().AsRaw())
				c.spanName = append(c.spanName, span.Name())
				c.spanKind = append(c.spanKind, span.Kind().String())
				c.service = append(c.service, service)
				c.resourceAttrs = append(c.resourceAttrs, resAttrs)
				c.scopeName = append(c.scopeName, scope.Name())
				c.scopeVersion = append(c.scopeVersion, scope.Version())
				c.spanAttrs = append(c.spanAttrs, attributesToMap(span.Attributes()))
				c.duration = append(c.duration, spanDuration(span))
				c.statusCode = append(c.statusCode, span.Status().Code().String())
				c.statusMessage = append(c.statusMessage, span.Status().Message())
				c.appendEvents(span.Events())
				c.appendLinks(span.Links())
			}
		}
	}
}

func (c *spanColumns) appendEvents(events ptrace.SpanEventSlice) {
	n := events.Len()
	times, names, attrs := make([]time.Time, n), make([]string, n), make([]*attrMap, n)
	for i, ev := range events.All() {
		times[i], names[i], attrs[i] = ev.Timestamp().AsTime(), ev.Name(), attributesToMap(ev.Attributes())
	}
	c.eventTimes, c.eventNames, c.eventAttrs = append(c.eventTimes, times), append(c.eventNames, names), append(c.eventAttrs, attrs)
}

func (c *spanColumns) appendLinks(links ptrace.SpanLinkSlice) {
	n := links.Len()
	traceIDs, spanIDs, states, attrs := make([]string, n), make([]string, n), make([]string, n), make([]*attrMap, n)
	for i, l := range links.All() {
		traceIDs[i], spanIDs[i], states[i], attrs[i] = l.TraceID().String(), l.SpanID().String(), l.TraceState().AsRaw(), attributesToMap(l.Attributes())
	}
	c.linkTraceIDs, c.linkSpanIDs = append(c.linkTraceIDs, traceIDs), append(c.linkSpanIDs, spanIDs)
	c.linkStates, c.linkAttrs = append(c.linkStates, states), append(c.linkAttrs, attrs)
}

// columns are the insert's columns, in spans_insert.sql order.
func (c *spanColumns) columns() []any {
	return []any{
		c.orgID, c.executionID, c.timestamp, c.traceID, c.spanID, c.parentSpanID,
		c.traceState, c.spanName, c.spanKind, c.service, c.resourceAttrs,
		c.scopeName, c.scopeVersion, c.spanAttrs, c.duration, c.statusCode, c.statusMessage,
		c.eventTimes, c.eventNames, c.eventAttrs,
		c.linkTraceIDs, c.linkSpanIDs, c.linkStates, c.linkAttrs,
	}
}

// executionID is the span's execution: the Agora API's spans say it in an
// attribute; otherwise one trace is one execution (DESIGN §3).
func executionID(span ptrace.Span) string {
	if id := agora.Str(span.Attributes(), agora.AttrExecutionID); id != "" {
		return id
	}
	if span.TraceID().IsEmpty() {
		return ""
	}
	return uuid.UUID(span.TraceID()).String()
}

// spanDuration is end - start in ns; a span that ends before it starts
// (clock skew in the sender) gets 0 rather than a wrapped-around uint64.
func spanDuration(span ptrace.Span) uint64 {
	if span.EndTimestamp() < span.StartTimestamp() {
		return 0
	}
	return uint64(span.EndTimestamp() - span.StartTimestamp())
}
