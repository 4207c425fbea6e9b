package agora

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func testSpan(code ptrace.StatusCode, msg string) ptrace.Span {
	s := ptrace.NewSpan()
	s.SetTraceID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	s.SetSpanID([8]byte{9, 9, 9, 9, 9, 9, 9, 1})
	s.SetParentSpanID([8]byte{8, 8, 8, 8, 8, 8, 8, 2})
	s.SetName("Load.node")
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(tStart))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(tEnd))
	s.Status().SetCode(code)
	s.Status().SetMessage(msg)
	a := s.Attributes()
	a.PutStr(SpanAttrNode, "Load")
	a.PutInt(SpanAttrRetryCount, 2)
	everyValue().CopyTo(a.PutEmpty(SpanAttrInput))
	a.PutStr("http.url", "not folded")
	ev := s.Events().AppendEmpty()
	ev.SetName("log")
	ev = s.Events().AppendEmpty()
	ev.SetName(EventException)
	ev.Attributes().PutStr(AttrExceptionMessage, "boom")
	ev.Attributes().PutStr("exception.stacktrace", "not kept")
	return s
}

// keepNames keeps the attributes it names.
type keepNames map[string]bool

func (k keepNames) Keep(_ int, name string) bool { return k[name] }

var keepFolded = keepNames{SpanAttrNode: true, SpanAttrRetryCount: true, SpanAttrInput: true, SessionKeys[0]: true}

// A compact span reads back as the span stripped to the kept attributes,
// the extra ones, and the exception message a status without one takes.
func TestCompactSpanRoundTrip(t *testing.T) {
	withMsg, withException := testSpan(ptrace.StatusCodeError, "status says"), testSpan(ptrace.StatusCodeError, "")
	ok := testSpan(ptrace.StatusCodeOk, "")
	var body []byte
	body = AppendCompactSpan(body, withMsg, keepFolded)
	body = AppendCompactSpan(body, withException, keepFolded, SpanAttr{SessionKeys[0], "s-1"}, SpanAttr{UserKeys[0], "u-1"})
	body = AppendCompactSpan(body, ok, keepFolded)
	got := ptrace.NewSpanSlice()
	require.NoError(t, ReadCompactSpans(body, got))
	require.Equal(t, 3, got.Len())
	for i, in := range []ptrace.Span{withMsg, withException, ok} {
		out := got.At(i)
		assert.Equal(t, in.TraceID(), out.TraceID())
		assert.Equal(t, in.SpanID(), out.SpanID())
		assert.Equal(t, in.ParentSpanID(), out.ParentSpanID())
		assert.Equal(t, in.Name(), out.Name())
		assert.Equal(t, in.StartTimestamp(), out.StartTimestamp())
		assert.Equal(t, in.EndTimestamp(), out.EndTimestamp())
		assert.Equal(t, in.Status().Code(), out.Status().Code())
		assert.Equal(t, in.Status().Message(), out.Status().Message())
		for _, k := range []string{SpanAttrNode, SpanAttrRetryCount, SpanAttrInput} {
			want, _ := in.Attributes().Get(k)
			have, found := out.Attributes().Get(k)
			require.True(t, found, k)
			assert.True(t, want.Equal(have), k)
		}
		_, found := out.Attributes().Get("http.url")
		assert.False(t, found, "an attribute folding does not read is not kept")
	}
	assert.Equal(t, 0, got.At(0).Events().Len(), "the status has its message")
	require.Equal(t, 1, got.At(1).Events().Len())
	assert.Equal(t, EventException, got.At(1).Events().At(0).Name())
	assert.Equal(t, map[string]any{AttrExceptionMessage: "boom"}, got.At(1).Events().At(0).Attributes().AsRaw())
	assert.Equal(t, "s-1", Str(got.At(1).Attributes(), SessionKeys[0]))
	assert.Equal(t, "u-1", Str(got.At(1).Attributes(), UserKeys[0]))
	assert.Equal(t, 0, got.At(2).Events().Len(), "no error: no exception kept")
}

// Every cut inside a span and every damaged marker is an error, never a
// panic; a cut between spans is the spans before it.
func TestCompactSpanRefusesDamagedBodies(t *testing.T) {
	one := AppendCompactSpan(nil, testSpan(ptrace.StatusCodeError, ""), keepFolded, SpanAttr{"k", "v"})
	for cut := 1; cut < len(one); cut++ {
		assert.Error(t, ReadCompactSpans(one[:cut], ptrace.NewSpanSlice()), "cut at %d", cut)
	}
	two := append(append([]byte{}, one...), one...)
	spans := ptrace.NewSpanSlice()
	require.NoError(t, ReadCompactSpans(two[:len(one)], spans))
	assert.Equal(t, 1, spans.Len())
	for i := range one {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			damaged := append([]byte{}, one...)
			damaged[i] ^= x
			_ = ReadCompactSpans(damaged, ptrace.NewSpanSlice()) // must not panic
		}
	}
	status := append([]byte{}, one...)
	s := testSpan(ptrace.StatusCodeError, "")
	at := 32 + len(appendStr(nil, s.Name())) + len(binary.AppendUvarint(nil, uint64(s.StartTimestamp()))) +
		len(binary.AppendUvarint(nil, uint64(s.EndTimestamp())))
	require.Equal(t, byte(ptrace.StatusCodeError), status[at])
	status[at] = 9
	assert.ErrorContains(t, ReadCompactSpans(status, ptrace.NewSpanSlice()), "status code")
}

func FuzzCompactSpan(f *testing.F) {
	f.Add(AppendCompactSpan(nil, testSpan(ptrace.StatusCodeError, ""), keepFolded, SpanAttr{"k", "v"}))
	f.Add(AppendCompactSpan(nil, ptrace.NewSpan(), keepNames{}))
	f.Fuzz(func(t *testing.T, body []byte) {
		spans := ptrace.NewSpanSlice()
		if ReadCompactSpans(body, spans) != nil {
			return
		}
		// What decodes re-encodes to what reads back the same.
		var again []byte
		for _, s := range spans.All() {
			keep := keepNames{}
			for k := range s.Attributes().All() {
				keep[k] = true
			}
			again = AppendCompactSpan(again, s, keep)
		}
		back := ptrace.NewSpanSlice()
		require.NoError(t, ReadCompactSpans(again, back))
		require.Equal(t, spans.Len(), back.Len())
	})
}
