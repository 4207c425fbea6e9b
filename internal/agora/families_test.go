package agora

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestFamiliesCoverEveryKey: a span with any one key a group looks up has
// that group on, so skipping a group never misses a key; a span with none
// of them has none.
func TestFamiliesCoverEveryKey(t *testing.T) {
	for fam, keys := range map[KeyFamily][]string{
		FamilyUsage:   concat(UsagePromptKeys, UsageCompletionKeys, UsageTotalKeys, UsageCostKeys, ModelKeys, ProviderKeys),
		FamilySession: SessionKeys,
		FamilyUser:    UserKeys,
		FamilyLLMCall: concat(LLMCallMarkers, []string{OpenInferenceSpanKind, GenAIOperation}),
	} {
		for _, k := range keys {
			attrs := pcommon.NewMap()
			attrs.PutStr(SpanAttrNode, "Think")
			attrs.PutStr(k, "x")
			assert.NotZero(t, families(attrs)&fam, "%s", k)
		}
	}
	attrs := pcommon.NewMap()
	for _, k := range []string{SpanAttrNode, SpanAttrPhase, SpanAttrDurationMs, SpanAttrRetryCount, SpanAttrOutput} {
		attrs.PutStr(k, "x")
	}
	assert.Zero(t, families(attrs), "an agora_tracer phase span")
}

func families(attrs pcommon.Map) KeyFamily {
	var k SpanKeys
	k.Read(attrs)
	return k.Families
}

// TestSpanKeysFindWhatGetFinds: each key's value is what a look-up by its
// name returns, whatever its type, the first of duplicates (a decoded
// request may hold them) included; an absent key is absent; a second Read
// forgets the first span's keys.
func TestSpanKeysFindWhatGetFinds(t *testing.T) {
	var k SpanKeys
	for key, name := range spanKeyNames {
		attrs := withDuplicate(t, name)
		k.Read(attrs)
		want, _ := attrs.Get(name)
		require.Equal(t, int64(1), want.Int(), "the first of the two")
		got, ok := k.Get(SpanKey(key))
		require.True(t, ok, name)
		assert.Equal(t, want.AsRaw(), got.AsRaw(), name)
		assert.Equal(t, Str(attrs, name), k.Str(SpanKey(key)), name)
		for other := range numSpanKeys {
			if other != SpanKey(key) {
				_, found := k.Get(other)
				assert.False(t, found, "%s found on a span of %s", spanKeyNames[other], name)
				assert.Empty(t, k.Str(other))
			}
		}
	}
	k.Read(pcommon.NewMap())
	for key := range numSpanKeys {
		_, found := k.Get(key)
		assert.False(t, found, spanKeyNames[key])
	}
}

// withDuplicate is a span's attributes, decoded from the wire, holding name
// twice (1, then 2) among others.
func withDuplicate(t *testing.T, name string) pcommon.Map {
	td := ptrace.NewTraces()
	attrs := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes()
	twin := name[:len(name)-1] + "\x7f" // as long as name: the wire bytes swap in place
	attrs.PutStr("other", "noise")
	attrs.PutInt(name, 1)
	attrs.PutInt(twin, 2)
	raw, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	raw = bytes.Replace(raw, []byte(twin), []byte(name), 1)
	td, err = (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(raw)
	require.NoError(t, err)
	attrs = td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	require.Equal(t, 3, attrs.Len())
	return attrs
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// TestSpanKeysKeepWhatFoldingReads: a journaled span keeps every attribute
// folding reads, wherever it stands among the span's attributes (the first
// 64 by position, the rest by name), and nothing else.
func TestSpanKeysKeepWhatFoldingReads(t *testing.T) {
	folded := concat(spanKeyNames[:], UsagePromptKeys, UsageCompletionKeys, UsageTotalKeys, UsageCostKeys,
		LLMCallMarkers, ModelKeys, ProviderKeys, ConventionAttributes, SessionKeys, UserKeys)
	for _, lead := range []int{0, 63, 64, 100} {
		attrs := pcommon.NewMap()
		for i := range lead {
			attrs.PutStr("pad."+string(rune('a'+i%26))+string(rune('a'+i/26)), "x")
		}
		for _, k := range folded {
			attrs.PutStr(k, "v")
		}
		attrs.PutStr("http.url", "not folded")
		var k SpanKeys
		k.Read(attrs)
		kept := map[string]bool{}
		i := -1
		for name := range attrs.All() {
			if i++; k.Keep(i, name) {
				kept[name] = true
			}
		}
		for _, name := range folded {
			assert.True(t, kept[name], "%s after %d attributes", name, lead)
		}
		assert.Len(t, kept, len(folded)-duplicates(folded), "after %d attributes", lead)
	}
}

func duplicates(names []string) int {
	seen := map[string]bool{}
	n := 0
	for _, k := range names {
		if seen[k] {
			n++
		}
		seen[k] = true
	}
	return n
}
