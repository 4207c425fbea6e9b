package executionprocessor

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestConventionPrecedence: a span carrying several conventions is read by
// the first: agora, OpenLLMetry, OpenInference, GenAI.
func TestConventionPrecedence(t *testing.T) {
	for name, tc := range map[string]struct {
		attrs  map[string]any
		parent bool
		kind   spanKind
		source uint8
		node   string
	}{
		"agora over openllmetry":         {map[string]any{"agora.flow": "F", "traceloop.span.kind": "workflow", "traceloop.entity.name": "W"}, false, kindFlow, fromOTLP, ""},
		"openllmetry over openinference": {map[string]any{"traceloop.span.kind": "tool", "traceloop.entity.name": "T", "openinference.span.kind": "AGENT"}, true, kindNode, fromOpenLLMetry, "T"},
		"openinference over genai":       {map[string]any{"openinference.span.kind": "TOOL", "tool.name": "lookup", "gen_ai.operation.name": "invoke_agent"}, true, kindNode, fromOpenInference, "lookup"},
		"genai tool":                     {map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "weather"}, true, kindNode, fromGenAI, "weather"},
		"root agent is the run":          {map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "Planner"}, false, kindFlow, fromGenAI, ""},
		"nested agent is a step":         {map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "Helper"}, true, kindNode, fromGenAI, "Helper"},
		"openinference LLM is a call":    {map[string]any{"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o"}, true, kindPlain, 0, ""},
		"plain span":                     {map[string]any{"http.method": "GET"}, true, kindPlain, 0, ""},
	} {
		t.Run(name, func(t *testing.T) {
			b := newSpans(pcommon.TraceID(uuid.New()))
			parent := pcommon.SpanID{}
			if tc.parent {
				parent = pcommon.SpanID{9}
			}
			sp := b.add("span", parent, 0, time.Second, tc.attrs)
			var f spanFacts
			interpret(&f, sp, nil)
			assert.Equal(t, tc.kind, f.kind)
			assert.Equal(t, tc.source, f.source)
			if tc.node != "" {
				assert.Equal(t, tc.node, f.name)
			}
		})
	}
}

// TestAgentUsageCountsOnce: an agent step repeating its LLM calls' usage
// counts once — from the calls — and the calls name the node's model.
func TestAgentUsageCountsOnce(t *testing.T) {
	s := newState(testConfig())
	trace := pcommon.TraceID(uuid.New())
	b := newSpans(trace)
	root := b.add("run", pcommon.SpanID{}, 0, 3*time.Second, map[string]any{"openinference.span.kind": "CHAIN"})
	agent := b.add("triage", root.SpanID(), 0, 2*time.Second, map[string]any{"openinference.span.kind": "AGENT",
		"llm.token_count.prompt": 500, "llm.token_count.completion": 100, "llm.model_name": "gpt-4o"})
	for i := range 2 {
		b.add("ChatCompletion", agent.SpanID(), time.Duration(i)*time.Second, time.Duration(i+1)*time.Second, map[string]any{
			"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.provider": "openai",
			"llm.token_count.prompt": 11, "llm.token_count.completion": 7, "llm.token_count.total": 18})
	}
	root.Status().SetCode(ptrace.StatusCodeOk)
	fold(s, b.td, t0)
	execs, nodes := emitted(t, flushLogs(s, t0))
	e := execs[uuid.UUID(trace)]
	assert.Equal(t, []int64{22, 14, 36}, []int64{e.PromptTokens, e.CompletionTokens, e.TotalTokens})
	assert.Equal(t, []string{"gpt-4o"}, e.Models)
	assert.Equal(t, "openinference", e.Source)
	for _, n := range nodes {
		assert.Equal(t, "gpt-4o", n.Model)
		assert.Equal(t, "openai", n.Provider)
		assert.Equal(t, int64(36), *n.TotalTokens)
	}
}
