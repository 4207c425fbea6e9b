package agora

import "go.opentelemetry.io/collector/pdata/pcommon"

// KeyFamily is a group of optional span attributes the execution processor
// looks up by long lists of names (usage alone is 17). A span carrying no
// key that could be in a group skips the group's look-ups: most spans
// carry none, and each look-up scans all of a span's attributes.
type KeyFamily uint8

const (
	// FamilyUsage: tokens, cost, model and provider.
	FamilyUsage KeyFamily = 1 << iota
	FamilySession
	FamilyUser
	// FamilyLLMCall: what marks a span as an LLM call.
	FamilyLLMCall
)

// familyOf maps every key a group looks up to the group: one map look-up
// per attribute a span carries, instead of a scan of them per key listed.
var familyOf = map[string]KeyFamily{}

func init() {
	for fam, lists := range map[KeyFamily][][]string{
		FamilyUsage:   {UsagePromptKeys, UsageCompletionKeys, UsageTotalKeys, UsageCostKeys, ModelKeys, ProviderKeys},
		FamilySession: {SessionKeys},
		FamilyUser:    {UserKeys},
		FamilyLLMCall: {LLMCallMarkers, {OpenInferenceSpanKind, GenAIOperation}},
	} {
		for _, keys := range lists {
			for _, k := range keys {
				familyOf[k] |= fam
			}
		}
	}
}

// Families reports the groups attrs has keys of.
func Families(attrs pcommon.Map) KeyFamily {
	var f KeyFamily
	for k := range attrs.All() {
		f |= familyOf[k]
	}
	return f
}
