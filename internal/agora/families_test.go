package agora

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
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
			assert.NotZero(t, Families(attrs)&fam, "%s", k)
		}
	}
	attrs := pcommon.NewMap()
	for _, k := range []string{SpanAttrNode, SpanAttrPhase, SpanAttrDurationMs, SpanAttrRetryCount, SpanAttrOutput} {
		attrs.PutStr(k, "x")
	}
	assert.Zero(t, Families(attrs), "an agora_tracer phase span")
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
