package agora

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/wire"
)

// The compact span: what the execution processor's journal keeps of a span
// (the attributes folding reads), appended straight from the request's
// span. A stripped pdata copy and its protobuf cost about a tenth of the
// collector's CPU per span; this costs the bytes it writes.
//
// Layout (compact.go's "str" and "value"): trace id (16) · span id (8) ·
// parent span id (8) · name (str) · start, end (uvarint Unix nanoseconds) ·
// status code (1) · status message (str) · attributes, each 1 · key (str) ·
// value, then 0 · the first exception event's message when the status is
// an error without one: 1 · message (str), else 0.

// SpanAttr is an attribute AppendCompactSpan adds to the span's own.
type SpanAttr struct{ Key, Value string }

// AttrFilter picks a span's attributes by position and name.
type AttrFilter interface{ Keep(i int, name string) bool }

// AppendCompactSpan appends span to b, with the attributes keep picks and
// extra.
func AppendCompactSpan(b []byte, span ptrace.Span, keep AttrFilter, extra ...SpanAttr) []byte {
	tid, sid, pid := span.TraceID(), span.SpanID(), span.ParentSpanID()
	b = append(append(append(b, tid[:]...), sid[:]...), pid[:]...)
	b = appendStr(b, span.Name())
	b = binary.AppendUvarint(b, uint64(span.StartTimestamp()))
	b = binary.AppendUvarint(b, uint64(span.EndTimestamp()))
	st := span.Status()
	b = appendStr(append(b, byte(st.Code())), st.Message())
	i := -1
	for k, v := range span.Attributes().All() {
		if i++; keep.Keep(i, k) {
			b = appendValue(appendStr(append(b, 1), k), v, 0)
		}
	}
	for _, a := range extra {
		b = appendStr(append(appendStr(append(b, 1), a.Key), tagStr), a.Value)
	}
	b = append(b, 0)
	if st.Code() == ptrace.StatusCodeError && st.Message() == "" {
		for _, ev := range span.Events().All() {
			if ev.Name() == EventException {
				return appendStr(append(b, 1), Str(ev.Attributes(), AttrExceptionMessage))
			}
		}
	}
	return append(b, 0)
}

// ReadCompactSpans appends the spans body holds, one after another, to
// spans. Their strings share body's bytes: the caller leaves body
// unchanged while it keeps them. A damaged body is an error, never a panic;
// the spans read before the damage stay appended.
func ReadCompactSpans(body []byte, spans ptrace.SpanSlice) error {
	r := reader{Reader: wire.NewReader(body)}
	for len(r.Rest()) > 0 {
		r.span(spans.AppendEmpty())
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("compact span: %w", err)
	}
	return nil
}

func (r *reader) span(s ptrace.Span) {
	var tid [16]byte
	var sid, pid [8]byte
	copy(tid[:], r.Take(16))
	copy(sid[:], r.Take(8))
	copy(pid[:], r.Take(8))
	s.SetTraceID(tid)
	s.SetSpanID(sid)
	s.SetParentSpanID(pid)
	s.SetName(r.str())
	s.SetStartTimestamp(pcommon.Timestamp(r.Uvarint()))
	s.SetEndTimestamp(pcommon.Timestamp(r.Uvarint()))
	if code := r.Take(1); code != nil {
		if code[0] > byte(ptrace.StatusCodeError) {
			r.Fail(errors.New("unknown status code"))
			return
		}
		s.Status().SetCode(ptrace.StatusCode(code[0]))
	}
	s.Status().SetMessage(r.str())
	attrs := s.Attributes()
	for r.marker("attribute") {
		k := r.str()
		r.valueInto(attrs.PutEmpty(k), 0)
	}
	if !r.marker("exception") {
		return
	}
	ev := s.Events().AppendEmpty()
	ev.SetName(EventException)
	ev.Attributes().PutStr(AttrExceptionMessage, r.str())
}

// marker reads a 1 (what follows) or a 0 (nothing does); any other byte,
// or none, stops the reading.
func (r *reader) marker(what string) bool {
	b := r.Take(1)
	switch {
	case b == nil || b[0] == 0:
		return false
	case b[0] != 1:
		r.Fail(fmt.Errorf("bad %s marker", what))
		return false
	}
	return true
}
