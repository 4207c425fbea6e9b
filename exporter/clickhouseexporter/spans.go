package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// spanItem is one span with its resource and scope.
type spanItem struct {
	rs   ptrace.ResourceSpans
	ss   ptrace.ScopeSpans
	span ptrace.Span
}

func (it spanItem) describe() (string, string) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	it.rs.Resource().CopyTo(rs.Resource())
	ss := rs.ScopeSpans().AppendEmpty()
	it.ss.Scope().CopyTo(ss.Scope())
	it.span.CopyTo(ss.Spans().AppendEmpty())
	b, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	return agora.Str(it.rs.Resource().Attributes(), agora.AttrOrgID), string(b)
}

// spanItems are a request's spans, in order.
func spanItems(td ptrace.Traces) []spanItem {
	items := make([]spanItem, 0, td.SpanCount())
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				items = append(items, spanItem{rs, ss, span})
			}
		}
	}
	return items
}

// spanColumns are the spans table's columns, reused from insert to insert.
type spanColumns struct {
	orgID                                      *proto.ColLowCardinality[string]
	traceID, spanID, parentID                  proto.ColStr
	executionID                                proto.ColUUID
	traceState, scopeName, scopeVersion        proto.ColStr
	statusMessage                              proto.ColStr
	timestamp                                  *proto.ColDateTime64
	spanName, spanKind, service, statusCode    *proto.ColLowCardinality[string]
	resourceAttrs, spanAttrs                   attrMap
	duration                                   proto.ColUInt64
	eventTimes                                 *proto.ColArr[time.Time]
	eventTimesData                             *proto.ColDateTime64
	eventNames                                 *proto.ColArr[string]
	eventNamesData                             *proto.ColLowCardinality[string]
	eventAttrs, linkAttrs                      *proto.ColArr[map[string]string]
	eventAttrsData, linkAttrsData              attrMap
	linkTraceIDs, linkSpanIDs, linkStates      *proto.ColArr[string]
	linkTraceData, linkSpanData, linkStateData *proto.ColStr
	rows                                       int
}

func newSpanColumns() *spanColumns {
	c := &spanColumns{
		orgID: lowCard(), timestamp: dateTime64(proto.PrecisionNano),
		spanName: lowCard(), spanKind: lowCard(), service: lowCard(), statusCode: lowCard(),
		resourceAttrs: newAttrMap(), spanAttrs: newAttrMap(),
		eventTimesData: dateTime64(proto.PrecisionNano), eventNamesData: lowCard(),
		eventAttrsData: newAttrMap(), linkAttrsData: newAttrMap(),
		linkTraceData: new(proto.ColStr), linkSpanData: new(proto.ColStr), linkStateData: new(proto.ColStr),
	}
	c.eventTimes = proto.NewArray[time.Time](c.eventTimesData)
	c.eventNames = proto.NewArray[string](c.eventNamesData)
	c.eventAttrs = proto.NewArray[map[string]string](c.eventAttrsData.col)
	c.linkAttrs = proto.NewArray[map[string]string](c.linkAttrsData.col)
	c.linkTraceIDs = proto.NewArray[string](c.linkTraceData)
	c.linkSpanIDs = proto.NewArray[string](c.linkSpanData)
	c.linkStates = proto.NewArray[string](c.linkStateData)
	return c
}

// input is the block, in the columns' insert order.
func (c *spanColumns) input() proto.Input {
	return proto.Input{
		{Name: "OrgId", Data: c.orgID}, {Name: "ExecutionId", Data: &c.executionID}, {Name: "Timestamp", Data: c.timestamp},
		{Name: "TraceId", Data: &c.traceID}, {Name: "SpanId", Data: &c.spanID}, {Name: "ParentSpanId", Data: &c.parentID},
		{Name: "TraceState", Data: &c.traceState}, {Name: "SpanName", Data: c.spanName}, {Name: "SpanKind", Data: c.spanKind},
		{Name: "ServiceName", Data: c.service}, {Name: "ResourceAttributes", Data: c.resourceAttrs.col},
		{Name: "ScopeName", Data: &c.scopeName}, {Name: "ScopeVersion", Data: &c.scopeVersion},
		{Name: "SpanAttributes", Data: c.spanAttrs.col}, {Name: "Duration", Data: &c.duration},
		{Name: "StatusCode", Data: c.statusCode}, {Name: "StatusMessage", Data: &c.statusMessage},
		{Name: "Events.Timestamp", Data: c.eventTimes}, {Name: "Events.Name", Data: c.eventNames},
		{Name: "Events.Attributes", Data: c.eventAttrs},
		{Name: "Links.TraceId", Data: c.linkTraceIDs}, {Name: "Links.SpanId", Data: c.linkSpanIDs},
		{Name: "Links.TraceState", Data: c.linkStates}, {Name: "Links.Attributes", Data: c.linkAttrs},
	}
}

func (c *spanColumns) reset() {
	c.rows = 0
	for _, col := range c.input() {
		col.Data.(proto.Resettable).Reset()
	}
}

// spanKinds and statusCodes name pdata's enums as the spans table stores
// them (the OTel trace schema Grafana reads).
var (
	spanKinds   = map[ptrace.SpanKind]string{}
	statusCodes = map[ptrace.StatusCode]string{}
)

func init() {
	for _, k := range []ptrace.SpanKind{ptrace.SpanKindUnspecified, ptrace.SpanKindInternal, ptrace.SpanKindServer,
		ptrace.SpanKindClient, ptrace.SpanKindProducer, ptrace.SpanKindConsumer} {
		spanKinds[k] = k.String()
	}
	for _, s := range []ptrace.StatusCode{ptrace.StatusCodeUnset, ptrace.StatusCodeOk, ptrace.StatusCodeError} {
		statusCodes[s] = s.String()
	}
}

func (c *spanColumns) append(it spanItem, window agora.TimeWindow, now time.Time) {
	c.rows++
	res, span := it.rs.Resource().Attributes(), it.span
	c.orgID.Append(agora.Str(res, agora.AttrOrgID))
	if id, err := uuid.Parse(agora.Str(span.Attributes(), agora.AttrExecutionID)); err == nil {
		c.executionID.Append(id)
	} else {
		// One trace is one execution (DESIGN §3) unless told otherwise.
		c.executionID.Append(uuid.UUID(span.TraceID()))
	}
	start, clamped := window.Clamp(span.StartTimestamp().AsTime(), now)
	c.timestamp.Append(start)
	tid, sid, pid := span.TraceID(), span.SpanID(), span.ParentSpanID()
	appendHex(&c.traceID, tid[:], tid.IsEmpty())
	appendHex(&c.spanID, sid[:], sid.IsEmpty())
	appendHex(&c.parentID, pid[:], pid.IsEmpty())
	c.traceState.Append(span.TraceState().AsRaw())
	c.spanName.Append(span.Name())
	c.spanKind.Append(spanKinds[span.Kind()])
	c.service.Append(agora.Str(res, agora.ResourceService))
	c.resourceAttrs.appendAttrs(res)
	c.scopeName.Append(it.ss.Scope().Name())
	c.scopeVersion.Append(it.ss.Scope().Version())
	for k, v := range span.Attributes().All() {
		c.spanAttrs.putValue(k, v)
	}
	if clamped {
		c.spanAttrs.put(agora.AttrOriginalTimestamp, span.StartTimestamp().AsTime().UTC().Format(time.RFC3339Nano))
	}
	c.spanAttrs.end()
	c.duration.Append(spanDuration(span))
	c.statusCode.Append(statusCodes[span.Status().Code()])
	c.statusMessage.Append(span.Status().Message())
	for _, ev := range span.Events().All() {
		c.eventTimesData.Append(ev.Timestamp().AsTime())
		c.eventNamesData.Append(ev.Name())
		c.eventAttrsData.appendAttrs(ev.Attributes())
	}
	c.eventTimes.Offsets.Append(uint64(c.eventTimesData.Rows()))
	c.eventNames.Offsets.Append(uint64(c.eventNamesData.Rows()))
	c.eventAttrs.Offsets.Append(uint64(c.eventAttrsData.col.Rows()))
	for _, l := range span.Links().All() {
		ltid, lsid := l.TraceID(), l.SpanID()
		appendHex(c.linkTraceData, ltid[:], ltid.IsEmpty())
		appendHex(c.linkSpanData, lsid[:], lsid.IsEmpty())
		c.linkStateData.Append(l.TraceState().AsRaw())
		c.linkAttrsData.appendAttrs(l.Attributes())
	}
	c.linkTraceIDs.Offsets.Append(uint64(c.linkTraceData.Rows()))
	c.linkSpanIDs.Offsets.Append(uint64(c.linkSpanData.Rows()))
	c.linkStates.Offsets.Append(uint64(c.linkStateData.Rows()))
	c.linkAttrs.Offsets.Append(uint64(c.linkAttrsData.col.Rows()))
}

// spanDuration is end - start in ns; a span that ends before it starts
// (clock skew in the sender) gets 0 rather than a wrapped-around uint64.
func spanDuration(span ptrace.Span) uint64 {
	if span.EndTimestamp() < span.StartTimestamp() {
		return 0
	}
	return uint64(span.EndTimestamp() - span.StartTimestamp())
}
