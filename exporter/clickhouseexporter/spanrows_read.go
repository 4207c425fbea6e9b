package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"fmt"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/wire"
)

// spanRow is one row read from a request (layout: spanrows.go). Its byte
// fields point into the request; the slices are reused from row to row.
type spanRow struct {
	org, service              []byte
	resAttrs                  []rowKV
	scopeName, scopeVersion   []byte
	executionID               uuid.UUID
	start                     int64
	traceID, spanID, parentID []byte
	traceState, name          []byte
	kind                      uint64
	attrs                     []rowKV
	duration                  uint64
	status                    uint64
	statusMessage             []byte
	events                    []rowEvent
	links                     []rowLink
	nested                    []rowKV // the events' and links' attributes
}

type rowKV struct{ k, v []byte }

type rowEvent struct {
	at       int64
	name     []byte
	from, to int // attributes: nested[from:to]
}

type rowLink struct {
	traceID, spanID, state []byte
	from, to               int
}

// rowReader reads a row (wire.Reader: every read bounded, the first fault
// sticks), with the rows' ids and attributes.
type rowReader struct{ wire.Reader }

func (r *rowReader) id(size int) []byte {
	n := r.Take(1)
	if len(n) == 0 {
		return nil
	}
	if n[0] != 0 && int(n[0]) != size {
		r.Fail(fmt.Errorf("id of %d bytes", n[0]))
		return nil
	}
	return r.Take(int(n[0]))
}

func (r *rowReader) kvs(dst []rowKV) []rowKV {
	for range r.Count() {
		dst = append(dst, rowKV{r.Bytes(), r.Bytes()})
	}
	return dst
}

// read decodes row into v.
func (v *spanRow) read(row []byte) error {
	r := rowReader{wire.NewReader(row)}
	v.org, v.service = r.Bytes(), r.Bytes()
	v.resAttrs = r.kvs(v.resAttrs[:0])
	v.scopeName, v.scopeVersion = r.Bytes(), r.Bytes()
	copy(v.executionID[:], r.Take(16))
	v.start = r.Varint()
	v.traceID, v.spanID, v.parentID = r.id(16), r.id(8), r.id(8)
	v.traceState, v.name = r.Bytes(), r.Bytes()
	v.kind = r.Uvarint()
	v.attrs = r.kvs(v.attrs[:0])
	v.duration, v.status = r.Uvarint(), r.Uvarint()
	v.statusMessage = r.Bytes()
	v.events, v.links, v.nested = v.events[:0], v.links[:0], v.nested[:0]
	for range r.Count() {
		ev := rowEvent{at: r.Varint(), name: r.Bytes(), from: len(v.nested)}
		v.nested = r.kvs(v.nested)
		ev.to = len(v.nested)
		v.events = append(v.events, ev)
	}
	for range r.Count() {
		l := rowLink{traceID: r.id(16), spanID: r.id(8), state: r.Bytes(), from: len(v.nested)}
		v.nested = r.kvs(v.nested)
		l.to = len(v.nested)
		v.links = append(v.links, l)
	}
	return r.Done()
}

// traces is the row as OTLP again (attribute values as the table stores
// them): the readable copy of a dead letter.
func (v *spanRow) traces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	putKVs(rs.Resource().Attributes(), v.resAttrs)
	if len(v.org) > 0 {
		rs.Resource().Attributes().PutStr(agora.AttrOrgID, string(v.org)) // the row's own column
	}
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(string(v.scopeName))
	ss.Scope().SetVersion(string(v.scopeVersion))
	s := ss.Spans().AppendEmpty()
	var tid pcommon.TraceID
	var sid, pid pcommon.SpanID
	copy(tid[:], v.traceID)
	copy(sid[:], v.spanID)
	copy(pid[:], v.parentID)
	s.SetTraceID(tid)
	s.SetSpanID(sid)
	s.SetParentSpanID(pid)
	s.TraceState().FromRaw(string(v.traceState))
	s.SetName(string(v.name))
	s.SetKind(ptrace.SpanKind(int32(uint32(v.kind))))
	s.SetStartTimestamp(pcommon.Timestamp(v.start))
	s.SetEndTimestamp(pcommon.Timestamp(uint64(v.start) + v.duration))
	putKVs(s.Attributes(), v.attrs)
	s.Status().SetCode(ptrace.StatusCode(int32(uint32(v.status))))
	s.Status().SetMessage(string(v.statusMessage))
	for _, e := range v.events {
		ev := s.Events().AppendEmpty()
		ev.SetTimestamp(pcommon.Timestamp(e.at))
		ev.SetName(string(e.name))
		putKVs(ev.Attributes(), v.nested[e.from:e.to])
	}
	for _, l := range v.links {
		link := s.Links().AppendEmpty()
		copy(tid[:], l.traceID)
		copy(sid[:], l.spanID)
		link.SetTraceID(tid)
		link.SetSpanID(sid)
		link.TraceState().FromRaw(string(l.state))
		putKVs(link.Attributes(), v.nested[l.from:l.to])
	}
	return td
}

func putKVs(m pcommon.Map, kvs []rowKV) {
	for _, kv := range kvs {
		m.PutStr(string(kv.k), string(kv.v))
	}
}

// spanBlock is one request's rows for the spans table (the rows interface
// of poison.go).
type spanBlock struct {
	req  *rowRequest
	cols *spanColumns
}

func (s *spanBlock) len() int { return s.req.ItemsCount() }

func (s *spanBlock) encode(from, to int) (proto.Input, error) {
	c := s.cols
	c.reset()
	for i := from; i < to; i++ {
		if err := c.row.read(s.req.row(i)); err != nil {
			return nil, fmt.Errorf("span row %d: %w", i, err)
		}
		c.append(&c.row)
	}
	return c.input(), nil
}

func (s *spanBlock) describe(i int) (string, string) {
	var v spanRow
	if err := v.read(s.req.row(i)); err != nil {
		return "", "damaged span row: " + err.Error()
	}
	b, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(v.traces())
	return string(v.org), string(b)
}
