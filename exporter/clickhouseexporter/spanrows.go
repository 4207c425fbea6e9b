package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"encoding/binary"
	"errors"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	pdatareq "go.opentelemetry.io/collector/pdata/xpdata/request"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// A span's row (rowrequest.go; all strings a uvarint length and bytes;
// enums uvarints):
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

// spanEncoding is the persistent queue's encoding of span requests.
func spanEncoding(conv spanConverter) rowEncoding { return rowEncoding{"spans", conv.legacy} }

// legacy converts an item of a queue an older version wrote: OTLP protobuf.
func (c spanConverter) legacy(b []byte) (*rowRequest, error) {
	_, td, err := pdatareq.UnmarshalTraces(b)
	if errors.Is(err, pdatareq.ErrInvalidFormat) {
		td, err = (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(b)
	}
	if err != nil {
		return nil, err
	}
	return c.convert(td), nil
}

// spanConverter turns OTLP spans into rows; start times outside the window
// are clamped (the original kept as an attribute), as of arrival.
type spanConverter struct {
	window agora.TimeWindow
	now    func() time.Time
}

func (c spanConverter) request(ctx context.Context, td ptrace.Traces) (xexporterhelper.Request, error) {
	r := c.convert(td)
	hold(ctx, r)
	return r, nil
}

func (c spanConverter) convert(td ptrace.Traces) *rowRequest {
	n := td.SpanCount()
	// Sized by the rows seen so far: one allocation for most requests.
	r := newRowRequest(spanRows, n, int(rowSizeHint.Load()))
	now := c.now()
	var head []byte // the resource's and scope's part of every row
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource().Attributes()
		head = appendRowStr(head[:0], agora.Str(res, agora.AttrOrgID))
		head = appendRowStr(head, agora.Str(res, agora.ResourceService))
		head = appendResourceAttrs(head, res)
		resLen := len(head)
		for _, ss := range rs.ScopeSpans().All() {
			head = appendRowStr(head[:resLen], ss.Scope().Name())
			head = appendRowStr(head, ss.Scope().Version())
			for _, span := range ss.Spans().All() {
				at := r.begin()
				r.buf = append(r.buf, head...)
				r.buf = c.appendSpan(r.buf, span, now)
				r.endRow(at)
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

// appendResourceAttrs is appendRowAttrs without the tenant's attributes
// (the row's org is its own column).
func appendResourceAttrs(b []byte, res pcommon.Map) []byte {
	n := res.Len()
	for k := range res.All() {
		if agora.TenantAttr(k) {
			n--
		}
	}
	b = binary.AppendUvarint(b, uint64(n))
	for k, v := range res.All() {
		if !agora.TenantAttr(k) {
			b = appendRowValue(appendRowStr(b, k), v)
		}
	}
	return b
}

func appendRowAttrs(b []byte, attrs pcommon.Map) []byte {
	b = binary.AppendUvarint(b, uint64(attrs.Len()))
	for k, v := range attrs.All() {
		b = appendRowValue(appendRowStr(b, k), v)
	}
	return b
}
