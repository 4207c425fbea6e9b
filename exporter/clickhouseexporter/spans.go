package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// spanColumns are the spans table's columns, reused from insert to insert.
type spanColumns struct {
	orgID                                      *dictColumn
	traceID, spanID, parentID                  proto.ColStr
	executionID                                proto.ColUUID
	traceState, scopeName, scopeVersion        proto.ColStr
	statusMessage                              proto.ColStr
	timestamp                                  *proto.ColDateTime64
	spanName, spanKind, service, statusCode    *dictColumn
	resourceAttrs, spanAttrs                   attrMap
	duration                                   proto.ColUInt64
	eventTimes                                 *proto.ColArr[time.Time]
	eventTimesData                             *proto.ColDateTime64
	eventNames                                 *proto.ColArr[string]
	eventNamesData                             *dictColumn
	eventAttrs, linkAttrs                      *proto.ColArr[map[string]string]
	eventAttrsData, linkAttrsData              attrMap
	linkTraceIDs, linkSpanIDs, linkStates      *proto.ColArr[string]
	linkTraceData, linkSpanData, linkStateData *proto.ColStr
	rows                                       int
	row                                        spanRow // the row being read, reused
}

func newSpanColumns() *spanColumns {
	c := &spanColumns{
		orgID: newDict(), timestamp: dateTime64(proto.PrecisionNano),
		spanName: newDict(), spanKind: newDict(), service: newDict(), statusCode: newDict(),
		resourceAttrs: newAttrMap(), spanAttrs: newAttrMap(),
		eventTimesData: dateTime64(proto.PrecisionNano), eventNamesData: newDict(),
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

func (c *spanColumns) appendKVs(m attrMap, kvs []rowKV) {
	for _, kv := range kvs {
		m.keys.AppendBytes(kv.k)
		m.values.AppendBytes(kv.v)
	}
	m.end()
}

func (c *spanColumns) append(v *spanRow) {
	c.rows++
	c.orgID.AppendBytes(v.org)
	c.executionID.Append(v.executionID)
	c.timestamp.AppendRaw(proto.DateTime64(v.start))
	appendHex(&c.traceID, v.traceID, len(v.traceID) == 0)
	appendHex(&c.spanID, v.spanID, len(v.spanID) == 0)
	appendHex(&c.parentID, v.parentID, len(v.parentID) == 0)
	c.traceState.AppendBytes(v.traceState)
	c.spanName.AppendBytes(v.name)
	c.spanKind.Append(spanKinds[ptrace.SpanKind(int32(uint32(v.kind)))])
	c.service.AppendBytes(v.service)
	c.appendKVs(c.resourceAttrs, v.resAttrs)
	c.scopeName.AppendBytes(v.scopeName)
	c.scopeVersion.AppendBytes(v.scopeVersion)
	c.appendKVs(c.spanAttrs, v.attrs)
	c.duration.Append(v.duration)
	c.statusCode.Append(statusCodes[ptrace.StatusCode(int32(uint32(v.status)))])
	c.statusMessage.AppendBytes(v.statusMessage)
	for _, ev := range v.events {
		c.eventTimesData.AppendRaw(proto.DateTime64(ev.at))
		c.eventNamesData.AppendBytes(ev.name)
		c.appendKVs(c.eventAttrsData, v.nested[ev.from:ev.to])
	}
	c.eventTimes.Offsets.Append(uint64(c.eventTimesData.Rows()))
	c.eventNames.Offsets.Append(uint64(c.eventNamesData.Rows()))
	c.eventAttrs.Offsets.Append(uint64(c.eventAttrsData.col.Rows()))
	for _, l := range v.links {
		appendHex(c.linkTraceData, l.traceID, len(l.traceID) == 0)
		appendHex(c.linkSpanData, l.spanID, len(l.spanID) == 0)
		c.linkStateData.AppendBytes(l.state)
		c.appendKVs(c.linkAttrsData, v.nested[l.from:l.to])
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
