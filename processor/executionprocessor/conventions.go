package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// A convention is one instrumentation's span vocabulary: it says which
// spans of a trace are the run (kindFlow) and which its steps (kindNode).
// interpret asks them in precedence order; the first that recognises a
// span decides. LLM calls are read the same way whatever the convention
// (usage.go).
type convention interface {
	source() uint8
	read(span ptrace.Span, attrs pcommon.Map, f *spanFacts) bool
}

// Sources of an execution's telemetry: the JSON API, and the convention of
// its spans. Their names make the record's source ("api+otlp", …).
const (
	fromAPI           uint8 = 1
	fromOTLP          uint8 = 2 // agora_tracer's spans
	fromOpenLLMetry   uint8 = 4
	fromOpenInference uint8 = 8
	fromGenAI         uint8 = 16
)

var sourceNames = []struct {
	bit  uint8
	name string
}{{fromAPI, "api"}, {fromOTLP, "otlp"}, {fromOpenLLMetry, "openllmetry"}, {fromOpenInference, "openinference"}, {fromGenAI, "genai"}}

// sourceName joins the names of the sources seen.
func sourceName(sources uint8) string {
	var names []string
	for _, s := range sourceNames {
		if sources&s.bit != 0 {
			names = append(names, s.name)
		}
	}
	if len(names) == 0 {
		return "otlp" // LLM calls only, no convention named the run
	}
	return strings.Join(names, "+")
}

// conventions, in precedence order: agora_tracer's, then OpenLLMetry,
// OpenInference, OTel GenAI.
var conventions = []convention{agoraSpans{}, openLLMetry{}, openInference{}, genAI{}}

// agoraSpans: agora_tracer's .flow / .node / .prep|.exec|.post spans.
type agoraSpans struct{}

func (agoraSpans) source() uint8 { return fromOTLP }

func (agoraSpans) read(span ptrace.Span, attrs pcommon.Map, f *spanFacts) bool {
	k := &f.keys
	switch {
	case k.Str(agora.KeyFlow) != "":
		f.kind, f.name = kindFlow, k.Str(agora.KeyFlow)
		if d, ok := boundedKey(k, agora.KeyTotalDurationMs, agora.DurationOK, &f.ignored); ok {
			f.durationMs = &d
		}
		if id, err := uuid.Parse(k.Str(agora.KeyFlowExecutionID)); err == nil && !f.fromAPI {
			f.apiExec = id
		}
	case k.Str(agora.KeyPhase) != "":
		f.kind, f.phase = kindPhase, phaseOf(f)
	case k.Str(agora.KeyKind) == agora.KindNode ||
		strings.HasSuffix(span.Name(), agora.SpanSuffixNode) && k.Str(agora.KeyNode) != "":
		f.kind = kindNode
		f.name = k.Str(agora.KeyNode)
		if f.name == "" {
			f.name = strings.TrimSuffix(span.Name(), agora.SpanSuffixNode)
		}
		f.nodeType = k.Str(agora.KeyNodeType)
	default:
		return false
	}
	return true
}

// openLLMetry: traceloop.span.kind workflow (the run) / task / agent / tool.
type openLLMetry struct{}

func (openLLMetry) source() uint8 { return fromOpenLLMetry }

func (openLLMetry) read(span ptrace.Span, attrs pcommon.Map, f *spanFacts) bool {
	kind := f.keys.Str(agora.KeyTraceloopSpanKind)
	if kind == "" {
		return false
	}
	f.name = firstNonEmpty(agora.Str(attrs, agora.TraceloopEntityName), span.Name())
	if kind == agora.TraceloopWorkflow {
		f.kind = kindFlow
		f.name = firstNonEmpty(agora.Str(attrs, agora.TraceloopWorkflowName), f.name)
	} else {
		f.kind, f.nodeType = kindNode, kind
	}
	f.input, f.output = jsonAttr(attrs, agora.TraceloopEntityInput), jsonAttr(attrs, agora.TraceloopEntityOutput)
	return true
}

// openInference: openinference.span.kind; a root CHAIN or AGENT is the run,
// every other kind but LLM a step.
type openInference struct{}

func (openInference) source() uint8 { return fromOpenInference }

func (openInference) read(span ptrace.Span, attrs pcommon.Map, f *spanFacts) bool {
	kind := strings.ToUpper(f.keys.Str(agora.KeyOpenInferenceSpanKind))
	if kind == "" || kind == agora.OpenInferenceLLM {
		return false
	}
	f.name = span.Name()
	switch {
	case (kind == agora.OpenInferenceChain || kind == agora.OpenInferenceAgent) && f.parent.IsEmpty():
		f.kind = kindFlow
	default:
		f.kind, f.nodeType = kindNode, strings.ToLower(kind)
		f.name = firstNonEmpty(agora.Str(attrs, agora.OpenInferenceToolName), f.name)
	}
	f.input, f.output = jsonAttr(attrs, agora.OpenInferenceInput), jsonAttr(attrs, agora.OpenInferenceOutput)
	return true
}

// genAI: gen_ai.operation.name; a root invoke_agent is the run, a nested
// one and execute_tool are steps; chat and the like are LLM calls.
type genAI struct{}

func (genAI) source() uint8 { return fromGenAI }

func (genAI) read(span ptrace.Span, attrs pcommon.Map, f *spanFacts) bool {
	switch f.keys.Str(agora.KeyGenAIOperation) {
	case agora.GenAIInvokeAgent:
		f.name = firstNonEmpty(agora.Str(attrs, agora.GenAIAgentName), span.Name())
		if f.parent.IsEmpty() {
			f.kind = kindFlow
		} else {
			f.kind, f.nodeType = kindNode, "agent"
		}
	case agora.GenAIExecuteTool:
		f.kind, f.nodeType = kindNode, "tool"
		f.name = firstNonEmpty(agora.Str(attrs, agora.GenAIToolName), span.Name())
	default:
		return false
	}
	f.input, f.output = jsonAttr(attrs, agora.GenAIInput), jsonAttr(attrs, agora.GenAIOutput)
	return true
}

// llmCall says whether a span is an LLM call: the conventions that name
// their LLM spans decide; otherwise the presence of an LLM attribute does.
// Only LLM calls count where a node has any, so usage an agent span
// repeats from its children is never counted twice.
func llmCall(attrs pcommon.Map, f *spanFacts) bool {
	if f.kind != kindPlain {
		return false // a run or a step, whatever model attributes it carries
	}
	if kind, ok := f.keys.Get(agora.KeyOpenInferenceSpanKind); ok {
		return strings.EqualFold(kind.Str(), agora.OpenInferenceLLM)
	}
	if op, ok := f.keys.Get(agora.KeyGenAIOperation); ok {
		return slices.Contains(agora.GenAILLMOperations, op.Str())
	}
	for _, k := range agora.LLMCallMarkers {
		if _, ok := attrs.Get(k); ok {
			return true
		}
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// jsonAttr is a captured input or output: JSON text (as the conventions
// record it) becomes its value, other text stays text. Absent: empty.
func jsonAttr(attrs pcommon.Map, k string) pcommon.Value {
	v, ok := attrs.Get(k)
	if !ok {
		return pcommon.Value{} // not Present, as in copyAttr
	}
	out := pcommon.NewValueEmpty()
	if v.Type() == pcommon.ValueTypeStr {
		if s := strings.TrimSpace(v.Str()); len(s) > 0 && (s[0] == '{' || s[0] == '[') {
			var raw any
			if json.Unmarshal([]byte(s), &raw) == nil {
				if out.FromRaw(raw) == nil {
					return out
				}
			}
		}
	}
	v.CopyTo(out)
	return out
}
