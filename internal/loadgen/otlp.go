package loadgen

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// OTLP shape: per execution a .flow root, Nodes .node spans each with
// .prep/.exec/.post children, and one LLM call (8 + 9 tokens) under the first
// node's exec: 4 * Nodes + 2 spans.
const (
	LLMPromptTokens     = 8
	LLMCompletionTokens = 9
)

// SpansPerRun is how many spans one OTLP execution has.
func SpansPerRun(nodes int) int { return 4*nodes + 2 }

// otlpRequest sends PerRequest executions in one OTLP/HTTP protobuf request.
func (c *Client) otlpRequest(ctx context.Context, key string) {
	nodes := c.cfg.Nodes
	if nodes <= 0 {
		nodes = 3
	}
	td, traces := Traces(c.cfg.PerRequest, nodes, time.Now())
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		panic(err)
	}
	if _, ok := c.post(ctx, c.target.OTLP+"/v1/traces", key, "application/x-protobuf", body); !ok {
		return
	}
	c.Acked.otlp(key, traces, nodes)
	c.Stats.Executions.Add(int64(len(traces)))
	c.Stats.Spans.Add(int64(td.SpanCount()))
}

// Traces builds n agora_tracer executions of the given node count, starting
// at start; it returns them and their trace ids.
func Traces(n, nodes int, start time.Time) (ptrace.Traces, []pcommon.TraceID) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(agora.ResourceService, "load-app")
	rs.Resource().Attributes().PutStr(agora.ResourceProject, "load")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("agora_tracer")
	spans := ss.Spans()
	spans.EnsureCapacity(n * SpansPerRun(nodes))
	ids := make([]pcommon.TraceID, n)
	for i := range ids {
		ids[i] = pcommon.TraceID(uuid.New())
		run(spans, ids[i], nodes, start)
	}
	return td, ids
}

func run(spans ptrace.SpanSlice, trace pcommon.TraceID, nodes int, t0 time.Time) {
	var next uint64 = rand.Uint64()
	add := func(name string, parent pcommon.SpanID, from, to time.Duration) ptrace.Span {
		next++
		s := spans.AppendEmpty()
		var id pcommon.SpanID
		binary.BigEndian.PutUint64(id[:], next)
		s.SetTraceID(trace)
		s.SetSpanID(id)
		s.SetParentSpanID(parent)
		s.SetName(name)
		s.SetKind(ptrace.SpanKindInternal)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(from)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(to)))
		s.Status().SetCode(ptrace.StatusCodeOk)
		return s
	}
	total := time.Duration(nodes) * 10 * time.Millisecond
	flow := add("LoadFlow.flow", pcommon.SpanID{}, 0, total)
	flow.Attributes().PutStr(agora.SpanAttrFlow, "LoadFlow")
	flow.Attributes().PutDouble(agora.SpanAttrTotalDurationMs, float64(total)/float64(time.Millisecond))
	for n := range nodes {
		name := fmt.Sprintf("Node%02d", n)
		at := time.Duration(n) * 10 * time.Millisecond
		nd := add(name+agora.SpanSuffixNode, flow.SpanID(), at, at+9*time.Millisecond)
		nd.Attributes().PutStr(agora.SpanAttrNode, name)
		nd.Attributes().PutStr(agora.SpanAttrKind, agora.KindNode)
		for i, ph := range []string{agora.PhasePrep, agora.PhaseExec, agora.PhasePost} {
			from := at + time.Duration(i)*3*time.Millisecond
			p := add(name+"."+ph, nd.SpanID(), from, from+3*time.Millisecond)
			p.Attributes().PutStr(agora.SpanAttrNode, name)
			p.Attributes().PutStr(agora.SpanAttrPhase, ph)
			p.Attributes().PutDouble(agora.SpanAttrDurationMs, 3)
			switch ph {
			case agora.PhaseExec:
				p.Attributes().PutInt(agora.SpanAttrRetryCount, 0)
				p.Attributes().PutStr(agora.SpanAttrOutput, "some output text of moderate length for realism")
				if n == 0 {
					llm := add("openai.chat", p.SpanID(), from+time.Millisecond, from+2*time.Millisecond)
					llm.Attributes().PutStr("gen_ai.system", "openai")
					llm.Attributes().PutStr("gen_ai.request.model", "gpt-4o-mini")
					llm.Attributes().PutInt("gen_ai.usage.input_tokens", LLMPromptTokens)
					llm.Attributes().PutInt("gen_ai.usage.output_tokens", LLMCompletionTokens)
				}
			case agora.PhasePost:
				p.Attributes().PutStr(agora.SpanAttrNextAction, "default")
			}
		}
	}
}
