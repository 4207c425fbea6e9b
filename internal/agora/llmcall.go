package agora

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Where a stored span keeps an LLM call's prompt, completion and finish
// reason, by convention (first match wins): whole (OTel GenAI messages,
// legacy gen_ai.prompt, OpenInference input.value), else as indexed
// messages (OpenLLMetry gen_ai.prompt.0.content, OpenInference
// llm.input_messages.0.message.content).
var (
	LLMPromptKeys              = []string{GenAIInput, "gen_ai.prompt", OpenInferenceInput}
	LLMCompletionKeys          = []string{GenAIOutput, "gen_ai.completion", OpenInferenceOutput}
	LLMPromptMessagePrefixes   = []string{"gen_ai.prompt.", "llm.input_messages."}
	LLMCompletionMessagePrefix = []string{"gen_ai.completion.", "llm.output_messages."}
	LLMFinishReasonKeys        = []string{"gen_ai.response.finish_reasons", "gen_ai.completion.0.finish_reason", "llm.response.finish_reason"}
	// LLMStepKeys name the step a call was made in, on the call or an
	// ancestor span.
	LLMStepKeys = []string{SpanAttrNode, TraceloopEntityName, GenAIAgentName, GenAIToolName, OpenInferenceToolName}
)

// LLMCall is one LLM call as a stored span tells it, for the inspector.
type LLMCall struct {
	SpanID       string      `json:"span_id"`
	Name         string      `json:"name"`
	Step         string      `json:"step"`
	Model        string      `json:"model"`
	Provider     string      `json:"provider"`
	Prompt       string      `json:"prompt"`
	Completion   string      `json:"completion"`
	InputTokens  *int64      `json:"input_tokens"`
	OutputTokens *int64      `json:"output_tokens"`
	TotalTokens  *int64      `json:"total_tokens"`
	Cost         *float64    `json:"cost"`
	FinishReason string      `json:"finish_reason"`
	Start        time.Time   `json:"start_time"`
	LatencyMs    float64     `json:"latency_ms"`
	Status       string      `json:"status"`
	Error        string      `json:"error"`
	Exceptions   []Exception `json:"exceptions"`
}

// Exception is a recorded exception event, in full.
type Exception struct {
	At         time.Time `json:"at"`
	Type       string    `json:"type"`
	Message    string    `json:"message"`
	Stacktrace string    `json:"stacktrace"`
}

// IsLLMCall says whether a stored span is an LLM call: the conventions that
// name their LLM spans decide; a span of no such convention is one when it
// names a model or reports usage (an Agora SDK exec phase does).
func IsLLMCall(attrs map[string]string) bool {
	if kind, ok := attrs[OpenInferenceSpanKind]; ok {
		return strings.EqualFold(kind, OpenInferenceLLM)
	}
	if op, ok := attrs[GenAIOperation]; ok {
		return slices.Contains(GenAILLMOperations, op)
	}
	if attrs[TraceloopSpanKind] != "" || attrs[SpanAttrFlow] != "" {
		return false // a run or a step repeating its calls' usage
	}
	for _, keys := range [][]string{LLMCallMarkers, UsagePromptKeys, UsageCompletionKeys, UsageTotalKeys} {
		for _, k := range keys {
			if _, ok := attrs[k]; ok {
				return true
			}
		}
	}
	return false
}

// LLMCallOf reads the call out of a stored span.
func LLMCallOf(s *SpanRow) LLMCall {
	a := s.Attributes
	c := LLMCall{SpanID: s.SpanID, Name: s.Name, Model: firstOf(a, ModelKeys), Provider: firstOf(a, ProviderKeys),
		Prompt: content(a, LLMPromptKeys, LLMPromptMessagePrefixes), Completion: content(a, LLMCompletionKeys, LLMCompletionMessagePrefix),
		InputTokens: countOf(a, UsagePromptKeys), OutputTokens: countOf(a, UsageCompletionKeys), TotalTokens: countOf(a, UsageTotalKeys),
		FinishReason: firstOf(a, LLMFinishReasonKeys), Start: s.StartTime, LatencyMs: float64(s.DurationNs) / 1e6,
		Status: s.Status, Error: s.StatusMessage, Exceptions: []Exception{}}
	for _, k := range UsageCostKeys {
		if f, err := strconv.ParseFloat(a[k], 64); err == nil && CostOK(f) {
			c.Cost = &f
			break
		}
	}
	for i, name := range s.EventNames {
		if name != EventException || i >= len(s.EventAttributes) {
			continue
		}
		ev := s.EventAttributes[i]
		e := Exception{Type: ev[AttrExceptionType], Message: ev[AttrExceptionMessage], Stacktrace: ev[AttrExceptionStacktrace]}
		if i < len(s.EventTimes) {
			e.At = s.EventTimes[i]
		}
		c.Exceptions = append(c.Exceptions, e)
	}
	return c
}

func firstOf(a map[string]string, keys []string) string {
	for _, k := range keys {
		if v := a[k]; v != "" {
			return v
		}
	}
	return ""
}

func countOf(a map[string]string, keys []string) *int64 {
	for _, k := range keys {
		if f, err := strconv.ParseFloat(a[k], 64); err == nil && CountOK(f) && f == math.Trunc(f) {
			n := int64(f)
			return &n
		}
	}
	return nil
}

// content is a prompt or completion: whole under one of keys, else its
// indexed messages as a JSON array of {role, content}.
func content(a map[string]string, keys, prefixes []string) string {
	if v := firstOf(a, keys); v != "" {
		return v
	}
	for _, p := range prefixes {
		var msgs []map[string]string
		for i := 0; i < 1000; i++ {
			at := p + strconv.Itoa(i) + "."
			m := map[string]string{}
			for _, field := range []string{"role", "content"} {
				if v, ok := a[at+field]; ok {
					m[field] = v
				} else if v, ok := a[at+"message."+field]; ok {
					m[field] = v
				}
			}
			if len(m) == 0 {
				break
			}
			msgs = append(msgs, m)
		}
		if len(msgs) > 0 {
			b, _ := json.Marshal(msgs)
			return string(b)
		}
	}
	return ""
}
