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

// SpanKey is an attribute the execution processor reads from most spans:
// SpanKeys.Read finds them all in one pass, where a look-up of each would
// scan the span's attributes once per key.
type SpanKey uint8

const (
	KeyExecutionID SpanKey = iota // AttrExecutionID: a span of the Agora API
	KeyFlow
	KeyFlowExecutionID // SpanAttrExecutionID
	KeyTotalDurationMs
	KeyPhase
	KeyKind
	KeyNode
	KeyNodeType
	KeyNextAction
	KeyInput
	KeyOutput
	KeyDurationMs
	KeyRetryCount
	KeyTraceloopSpanKind
	KeyOpenInferenceSpanKind
	KeyGenAIOperation
	numSpanKeys
)

// spanKeyNames are the attribute names of the SpanKeys, in their order.
var spanKeyNames = [numSpanKeys]string{
	AttrExecutionID, SpanAttrFlow, SpanAttrExecutionID, SpanAttrTotalDurationMs, SpanAttrPhase, SpanAttrKind, SpanAttrNode,
	SpanAttrNodeType, SpanAttrNextAction, SpanAttrInput, SpanAttrOutput, SpanAttrDurationMs, SpanAttrRetryCount,
	TraceloopSpanKind, OpenInferenceSpanKind, GenAIOperation,
}

// keyInfo is what an attribute name means to SpanKeys.Read: the groups it
// belongs to, and which SpanKey it is (plus one; 0: none).
type keyInfo struct {
	fam KeyFamily
	key uint8
}

// keyInfoOf holds every name a group looks up, every SpanKey's and every
// other name a convention reads: one map look-up per attribute a span
// carries. Its names are the attributes folding reads, the ones a journaled
// span keeps (SpanKeys.Keep).
var keyInfoOf = map[string]keyInfo{}

func init() {
	for _, k := range ConventionAttributes {
		keyInfoOf[k] = keyInfo{}
	}
	for fam, lists := range map[KeyFamily][][]string{
		FamilyUsage:   {UsagePromptKeys, UsageCompletionKeys, UsageTotalKeys, UsageCostKeys, ModelKeys, ProviderKeys},
		FamilySession: {SessionKeys},
		FamilyUser:    {UserKeys},
		FamilyLLMCall: {LLMCallMarkers, {OpenInferenceSpanKind, GenAIOperation}},
	} {
		for _, keys := range lists {
			for _, k := range keys {
				info := keyInfoOf[k]
				info.fam |= fam
				keyInfoOf[k] = info
			}
		}
	}
	for i, k := range spanKeyNames {
		info := keyInfoOf[k]
		info.key = uint8(i) + 1
		keyInfoOf[k] = info
	}
}

// SpanKeys is what one pass over a span's attributes finds: the groups it
// has keys of, and the value of each SpanKey it carries (the first, as
// pcommon.Map.Get finds).
type SpanKeys struct {
	Families KeyFamily
	found    uint32
	vals     [numSpanKeys]pcommon.Value
	// folded marks the first 64 attributes that are in keyInfoOf, by
	// position: what Keep answers without looking the name up again.
	folded uint64
}

// Read fills k from attrs, overwriting it.
func (k *SpanKeys) Read(attrs pcommon.Map) {
	k.Families, k.found, k.folded = 0, 0, 0
	i := -1
	for name, v := range attrs.All() {
		i++
		info, ok := keyInfoOf[name]
		if !ok {
			continue
		}
		if i < 64 {
			k.folded |= 1 << i
		}
		k.Families |= info.fam
		if bit := uint32(1) << info.key >> 1; info.key != 0 && k.found&bit == 0 {
			k.found |= bit
			k.vals[info.key-1] = v
		}
	}
}

// Keep reports whether the i-th attribute (name) of the span k was read
// from is one folding reads: a compact span keeps it.
func (k *SpanKeys) Keep(i int, name string) bool {
	if i < 64 {
		return k.folded&(1<<i) != 0
	}
	_, ok := keyInfoOf[name]
	return ok
}

// Get is the value of key, as attrs.Get would return it.
func (k *SpanKeys) Get(key SpanKey) (pcommon.Value, bool) {
	if k.found&(1<<key) == 0 {
		return pcommon.Value{}, false
	}
	return k.vals[key], true
}

// Str is key's value as text ("" when absent), as Str(attrs, name) is.
func (k *SpanKeys) Str(key SpanKey) string {
	if v, ok := k.Get(key); ok {
		return v.AsString()
	}
	return ""
}
