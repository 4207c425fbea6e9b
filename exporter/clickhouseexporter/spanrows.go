package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	pdatareq "go.opentelemetry.io/collector/pdata/xpdata/request"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Spans cross the exporter's queue as rows of the spans table, encoded once
// on arrival: the queue stores them as they are, the batcher merges and
// splits them as bytes, and an insert reads them straight into columns.
// With pdata in the queue every span was decoded a second time (into
// objects, for the garbage collector) and batches waiting to be sent held
// those objects; rows are a few hundred bytes each.
//
// A request is spanRowsV1, then rows, each a little-endian uint32 length and
// the row. A row (all strings a uvarint length and bytes; enums uvarints):
//
//	org, service, resource attributes, scope name, scope version,
//	execution id (16 bytes), start (varint ns, clamped to the window),
//	trace id, span id, parent span id (a length, 0 when empty, and bytes),
//	trace state, name, kind, attributes, duration (uvarint ns),
//	status code, status message,
//	events (a count; each: varint ns, name, attributes),
//	links (a count; each: trace id, span id, trace state, attributes)
//
// Attributes are a count and key/value strings, as the table stores them
// (non-string values as pdata's AsString).

// spanRowsV1 starts every request. It can never start the protobuf request
// the queue stored before (field number 0 does not exist), so a queue left
// by an older version is still read (spanEncoding.Unmarshal).
const spanRowsV1 byte = 0x01

type spanRequest struct {
	buf    []byte // spanRowsV1, then the rows
	starts []int  // where each row's length begins in buf
	owned  bool   // buf was allocated here, not handed over by the storage
}

var _ xexporterhelper.Request = (*spanRequest)(nil)

func (r *spanRequest) ItemsCount() int { return len(r.starts) }

func (r *spanRequest) BytesSize() int { return len(r.buf) }

// end is where row i ends in buf.
func (r *spanRequest) end(i int) int {
	if i+1 < len(r.starts) {
		return r.starts[i+1]
	}
	return len(r.buf)
}

// row is row i, without its length.
func (r *spanRequest) row(i int) []byte { return r.buf[r.starts[i]+4 : r.end(i)] }

func (r *spanRequest) size(i int, szt exporterhelper.RequestSizerType) int {
	if szt == exporterhelper.RequestSizerTypeBytes {
		return r.end(i) - r.starts[i]
	}
	return 1
}

// MergeSplit appends other's rows to r, then cuts r into requests of at
// most maxSize (a row larger than maxSize bytes goes alone: it is never
// dropped).
func (r *spanRequest) MergeSplit(_ context.Context, maxSize int, szt exporterhelper.RequestSizerType, other xexporterhelper.Request) ([]xexporterhelper.Request, error) {
	if szt != exporterhelper.RequestSizerTypeItems && szt != exporterhelper.RequestSizerTypeBytes {
		return nil, fmt.Errorf("spans: unsupported sizer %v", szt)
	}
	if other != nil {
		o, ok := other.(*spanRequest)
		if !ok {
			return nil, fmt.Errorf("spans: cannot merge a %T", other)
		}
		shift := len(r.buf) - 1
		if need := len(r.buf) + len(o.buf) - 1; need > cap(r.buf) {
			// Doubling, from a recycled batch when there is one: append
			// grows a large slice by a quarter, copying a batch of tens of
			// megabytes over and over as requests merge into it.
			b := rowBufs.get(2 * need)
			r.buf, r.owned = append(b, r.buf...), true
		}
		r.buf = append(r.buf, o.buf[1:]...)
		if need := len(r.starts) + len(o.starts); need > cap(r.starts) {
			r.starts = append(make([]int, 0, 2*need), r.starts...)
		}
		for _, s := range o.starts {
			r.starts = append(r.starts, s+shift)
		}
	}
	total := len(r.starts)
	if szt == exporterhelper.RequestSizerTypeBytes {
		total = len(r.buf)
	}
	if maxSize <= 0 || total <= maxSize {
		return []xexporterhelper.Request{r}, nil
	}
	var out []xexporterhelper.Request
	from, size := 0, 0
	for i := range r.starts {
		s := r.size(i, szt)
		if i > from && size+s > maxSize {
			out = append(out, r.slice(from, i))
			from, size = i, 0
		}
		size += s
	}
	return append(out, r.slice(from, len(r.starts))), nil
}

// rowBufs are the buffers of sent batches, for the next ones to grow into.
var rowBufs = bufList{make(chan []byte, 2)}

type bufList struct{ idle chan []byte }

// get is an empty buffer with room for n bytes.
func (l bufList) get(n int) []byte {
	select {
	case b := <-l.idle:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, n)
}

func (l bufList) put(b []byte) {
	select {
	case l.idle <- b[:0]:
	default:
	}
}

// release hands r's buffer back once its rows are stored; r is not used
// again (exporterhelper retries only a failed request).
func (r *spanRequest) release() {
	if r.owned {
		rowBufs.put(r.buf)
	}
	r.buf, r.starts = nil, nil
}

// slice is a new request of rows [from, to).
func (r *spanRequest) slice(from, to int) *spanRequest {
	base := r.starts[from]
	s := &spanRequest{buf: make([]byte, 1, 1+r.end(to-1)-base), starts: make([]int, 0, to-from), owned: true}
	s.buf[0] = spanRowsV1
	s.buf = append(s.buf, r.buf[base:r.end(to-1)]...)
	for _, at := range r.starts[from:to] {
		s.starts = append(s.starts, at-base+1)
	}
	return s
}

// spanEncoding is the persistent queue's encoding of span requests.
type spanEncoding struct{ conv spanConverter }

// Marshal hands over the request's own bytes: the queue writes them before
// the request is used again.
func (spanEncoding) Marshal(_ context.Context, req xexporterhelper.Request) ([]byte, error) {
	r, ok := req.(*spanRequest)
	if !ok {
		return nil, fmt.Errorf("spans: cannot encode a %T", req)
	}
	return r.buf, nil
}

var errSpanRows = errors.New("spans: damaged queue item")

// Unmarshal checks every row's length against the item. A queue written by
// an older version holds OTLP protobuf: that is decoded and converted.
func (e spanEncoding) Unmarshal(b []byte) (context.Context, xexporterhelper.Request, error) {
	ctx := context.Background()
	if len(b) == 0 || b[0] != spanRowsV1 {
		_, td, err := pdatareq.UnmarshalTraces(b)
		if errors.Is(err, pdatareq.ErrInvalidFormat) {
			td, err = (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(b)
		}
		if err != nil {
			return ctx, nil, err
		}
		return ctx, e.conv.convert(td), nil
	}
	r := &spanRequest{buf: b[:len(b):len(b)]}
	for at := 1; at < len(b); {
		if len(b)-at < 4 {
			return ctx, nil, errSpanRows
		}
		n := int(binary.LittleEndian.Uint32(b[at:]))
		if n > len(b)-at-4 {
			return ctx, nil, errSpanRows
		}
		r.starts = append(r.starts, at)
		at += 4 + n
	}
	return ctx, r, nil
}

// spanConverter turns OTLP spans into rows; start times outside the window
// are clamped (the original kept as an attribute), as of arrival.
type spanConverter struct {
	window agora.TimeWindow
	now    func() time.Time
}

func (c spanConverter) request(_ context.Context, td ptrace.Traces) (xexporterhelper.Request, error) {
	return c.convert(td), nil
}

func (c spanConverter) convert(td ptrace.Traces) *spanRequest {
	n := td.SpanCount()
	// Sized by the rows seen so far: one allocation for most requests.
	r := &spanRequest{buf: make([]byte, 1, 1+n*int(rowSizeHint.Load())), starts: make([]int, 0, n), owned: true}
	r.buf[0] = spanRowsV1
	now := c.now()
	var head []byte // the resource's and scope's part of every row
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource().Attributes()
		head = appendRowStr(head[:0], agora.Str(res, agora.AttrOrgID))
		head = appendRowStr(head, agora.Str(res, agora.ResourceService))
		head = appendRowAttrs(head, res)
		resLen := len(head)
		for _, ss := range rs.ScopeSpans().All() {
			head = appendRowStr(head[:resLen], ss.Scope().Name())
			head = appendRowStr(head, ss.Scope().Version())
			for _, span := range ss.Spans().All() {
				at := len(r.buf)
				r.starts = append(r.starts, at)
				r.buf = append(r.buf, 0, 0, 0, 0)
				r.buf = append(r.buf, head...)
				r.buf = c.appendSpan(r.buf, span, now)
				binary.LittleEndian.PutUint32(r.buf[at:], uint32(len(r.buf)-at-4))
			}
		}
	}
	if n > 0 {
		rowSizeHint.Store(int64(min(len(r.buf)/n+len(r.buf)/n/8, maxRowSizeHint)))
	}
	return r
}

// rowSizeHint is the bytes to reserve per row: the last request's average
// and an eighth, at most maxRowSizeHint (a request of a few huge spans must
// not make the next one of many small spans reserve gigabytes).
var rowSizeHint atomic.Int64

const maxRowSizeHint = 2048

func init() { rowSizeHint.Store(256) }

func (c spanConverter) appendSpan(b []byte, span ptrace.Span, now time.Time) []byte {
	id, err := uuid.Parse(agora.Str(span.Attributes(), agora.AttrExecutionID))
	if err != nil {
		// One trace is one execution (DESIGN §3) unless told otherwise.
		id = uuid.UUID(span.TraceID())
	}
	b = append(b, id[:]...)
	start, clamped := c.window.Clamp(span.StartTimestamp().AsTime(), now)
	b = binary.AppendVarint(b, start.UnixNano())
	tid, sid, pid := span.TraceID(), span.SpanID(), span.ParentSpanID()
	b = appendRowID(b, tid[:], tid.IsEmpty())
	b = appendRowID(b, sid[:], sid.IsEmpty())
	b = appendRowID(b, pid[:], pid.IsEmpty())
	b = appendRowStr(b, span.TraceState().AsRaw())
	b = appendRowStr(b, span.Name())
	b = binary.AppendUvarint(b, uint64(uint32(span.Kind())))
	attrs := span.Attributes()
	n := attrs.Len()
	if clamped {
		n++
	}
	b = binary.AppendUvarint(b, uint64(n))
	for k, v := range attrs.All() {
		b = appendRowValue(appendRowStr(b, k), v)
	}
	if clamped {
		b = appendRowStr(b, agora.AttrOriginalTimestamp)
		b = appendRowStr(b, span.StartTimestamp().AsTime().UTC().Format(time.RFC3339Nano))
	}
	b = binary.AppendUvarint(b, spanDuration(span))
	b = binary.AppendUvarint(b, uint64(uint32(span.Status().Code())))
	b = appendRowStr(b, span.Status().Message())
	b = binary.AppendUvarint(b, uint64(span.Events().Len()))
	for _, ev := range span.Events().All() {
		b = binary.AppendVarint(b, int64(ev.Timestamp()))
		b = appendRowStr(b, ev.Name())
		b = appendRowAttrs(b, ev.Attributes())
	}
	b = binary.AppendUvarint(b, uint64(span.Links().Len()))
	for _, l := range span.Links().All() {
		ltid, lsid := l.TraceID(), l.SpanID()
		b = appendRowID(b, ltid[:], ltid.IsEmpty())
		b = appendRowID(b, lsid[:], lsid.IsEmpty())
		b = appendRowStr(b, l.TraceState().AsRaw())
		b = appendRowAttrs(b, l.Attributes())
	}
	return b
}

func appendRowStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendRowID(b, id []byte, empty bool) []byte {
	if empty {
		return append(b, 0)
	}
	return append(append(b, byte(len(id))), id...)
}

func appendRowValue(b []byte, v pcommon.Value) []byte {
	if v.Type() == pcommon.ValueTypeStr {
		return appendRowStr(b, v.Str())
	}
	return appendRowStr(b, v.AsString())
}

func appendRowAttrs(b []byte, attrs pcommon.Map) []byte {
	b = binary.AppendUvarint(b, uint64(attrs.Len()))
	for k, v := range attrs.All() {
		b = appendRowValue(appendRowStr(b, k), v)
	}
	return b
}
