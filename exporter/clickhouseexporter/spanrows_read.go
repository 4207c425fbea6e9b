package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
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

var errRowShort = errors.New("truncated")

// rowReader reads a row, bounds checked: after the first error every read
// returns zero values and err keeps that error.
type rowReader struct {
	b   []byte
	err error
}

func (r *rowReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

func (r *rowReader) take(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.fail(errRowShort)
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *rowReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(errRowShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *rowReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(errRowShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *rowReader) str() []byte { return r.take(r.uvarint()) }

// count is a number of entries, each at least one byte long.
func (r *rowReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail(errRowShort)
		return 0
	}
	return int(n)
}

func (r *rowReader) id(size int) []byte {
	n := r.take(1)
	if len(n) == 0 {
		return nil
	}
	if n[0] != 0 && int(n[0]) != size {
		r.fail(fmt.Errorf("id of %d bytes", n[0]))
		return nil
	}
	return r.take(uint64(n[0]))
}

func (r *rowReader) kvs(dst []rowKV) []rowKV {
	for range r.count() {
		dst = append(dst, rowKV{r.str(), r.str()})
	}
	return dst
}

// read decodes row into v.
func (v *spanRow) read(row []byte) error {
	r := rowReader{b: row}
	v.org, v.service = r.str(), r.str()
	v.resAttrs = r.kvs(v.resAttrs[:0])
	v.scopeName, v.scopeVersion = r.str(), r.str()
	copy(v.executionID[:], r.take(16))
	v.start = r.varint()
	v.traceID, v.spanID, v.parentID = r.id(16), r.id(8), r.id(8)
	v.traceState, v.name = r.str(), r.str()
	v.kind = r.uvarint()
	v.attrs = r.kvs(v.attrs[:0])
	v.duration, v.status = r.uvarint(), r.uvarint()
	v.statusMessage = r.str()
	v.events, v.links, v.nested = v.events[:0], v.links[:0], v.nested[:0]
	for range r.count() {
		ev := rowEvent{at: r.varint(), name: r.str(), from: len(v.nested)}
		v.nested = r.kvs(v.nested)
		ev.to = len(v.nested)
		v.events = append(v.events, ev)
	}
	for range r.count() {
		l := rowLink{traceID: r.id(16), spanID: r.id(8), state: r.str(), from: len(v.nested)}
		v.nested = r.kvs(v.nested)
		l.to = len(v.nested)
		v.links = append(v.links, l)
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail(fmt.Errorf("%d bytes after the row", len(r.b)))
	}
	return r.err
}

// traces is the row as OTLP again (attribute values as the table stores
// them): the readable copy of a dead letter.
func (v *spanRow) traces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	putKVs(rs.Resource().Attributes(), v.resAttrs)
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
