package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"path"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// usage is what one span says about LLM use.
type usage struct {
	prompt, completion, total int64
	cost                      float64
	hasCost                   bool
	// llm: the span is an LLM call (OpenLLMetry gen_ai/llm attributes). Only
	// such spans count when a node has any, so usage repeated on agent or
	// phase spans is never counted twice.
	llm bool
}

func (u usage) empty() bool { return u.prompt == 0 && u.completion == 0 && u.total == 0 && !u.hasCost }

func (u *usage) add(o usage) {
	u.prompt += o.prompt
	u.completion += o.completion
	u.total += o.total
	u.cost += o.cost
}

// Attribute names of LLM usage, newest conventions first.
var (
	promptKeys     = []string{"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.usage.prompt_tokens"}
	completionKeys = []string{"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.usage.completion_tokens"}
	totalKeys      = []string{"llm.usage.total_tokens", "gen_ai.usage.total_tokens", agora.AttrTokensUsed}
	costKeys       = []string{"traceloop.cost.usd", "llm.usage.cost", "usage.cost", "gen_ai.usage.cost", agora.AttrEstimatedCost}
	llmMarkers     = []string{"gen_ai.system", "gen_ai.request.model", "gen_ai.response.model", "llm.request.type"}
)

// usageOf reads a span's usage; cost comes from the span when it has one
// (the sender's value wins), else from the price table.
func usageOf(attrs pcommon.Map, prices []Price) usage {
	var u usage
	u.prompt, _ = firstInt(attrs, promptKeys)
	u.completion, _ = firstInt(attrs, completionKeys)
	if t, ok := firstInt(attrs, totalKeys); ok {
		u.total = t
	} else {
		u.total = u.prompt + u.completion
	}
	for _, k := range costKeys {
		if v, ok := attrs.Get(k); ok {
			if f, ok := number(v); ok {
				u.cost, u.hasCost = f, true
				break
			}
		}
	}
	for _, k := range llmMarkers {
		if _, ok := attrs.Get(k); ok {
			u.llm = true
			break
		}
	}
	if !u.hasCost && (u.prompt > 0 || u.completion > 0) {
		model := str(attrs, "gen_ai.response.model")
		if model == "" {
			model = str(attrs, "gen_ai.request.model")
		}
		for _, p := range prices {
			if ok, _ := path.Match(p.Model, model); ok {
				u.cost = (float64(u.prompt)*p.Prompt + float64(u.completion)*p.Completion) / 1e6
				u.hasCost = true
				break
			}
		}
	}
	return u
}

func firstInt(attrs pcommon.Map, keys []string) (int64, bool) {
	for _, k := range keys {
		if v, ok := attrs.Get(k); ok {
			if f, ok := number(v); ok {
				return int64(f), true
			}
		}
	}
	return 0, false
}

// number accepts ints, doubles and numeric strings (some SDKs stringify).
func number(v pcommon.Value) (float64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeStr:
		var f float64
		var seen bool
		for i, c := range v.Str() {
			switch {
			case c >= '0' && c <= '9':
				f, seen = f*10+float64(c-'0'), true
			case c == '.' && i > 0:
				return parseFloat(v.Str())
			default:
				return 0, false
			}
		}
		return f, seen
	}
	return 0, false
}

func str(attrs pcommon.Map, k string) string {
	if v, ok := attrs.Get(k); ok {
		return v.AsString()
	}
	return ""
}

func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
