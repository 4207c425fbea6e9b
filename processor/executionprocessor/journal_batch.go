package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// batch collects one request's journal entries, one per execution.
type batch struct {
	at      time.Time
	entries map[key]*entry
	order   []*entry
}

func newBatch(at time.Time) *batch { return &batch{at: at, entries: map[key]*entry{}} }

func (b *batch) entry(k key, kind byte) *entry {
	if en, ok := b.entries[k]; ok && en.kind == kind {
		return en
	}
	en := &entry{key: k, at: b.at, kind: kind}
	switch kind {
	case entrySpans:
		en.traces = ptrace.NewTraces()
	case entryRecords:
		en.logs = plog.NewLogs()
	}
	b.entries[k] = en
	b.order = append(b.order, en)
	return en
}

// span journals a span, stripped to what folding reads, under its execution.
// The session and user it was folded with (its own or its resource's) are
// kept on it, as the replay reads no resource but the project.
func (b *batch) span(k key, project string, f *spanFacts, span ptrace.Span) {
	en := b.entry(k, entrySpans)
	rss := en.traces.ResourceSpans()
	if rss.Len() == 0 {
		rs := rss.AppendEmpty()
		rs.Resource().Attributes().PutStr(agora.ResourceProject, project)
		rs.ScopeSpans().AppendEmpty()
	}
	dst := rss.At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	strip(dst, span)
	if f.session != "" && agora.FirstStr(dst.Attributes(), agora.SessionKeys) == "" {
		dst.Attributes().PutStr(agora.SessionKeys[0], f.session)
	}
	if f.user != "" && agora.FirstStr(dst.Attributes(), agora.UserKeys) == "" {
		dst.Attributes().PutStr(agora.UserKeys[0], f.user)
	}
}

// record journals a copy of an Agora API record under its execution.
func (b *batch) record(k key, lr plog.LogRecord) {
	lr.CopyTo(b.records(k).AppendEmpty())
}

// report journals a node report, read already, under its execution: in the
// compact encoding, a fraction of the map's size and encoding cost (the
// replay reads either).
func (b *batch) report(k key, n *agora.NodeExecution) {
	n.AppendCompact(b.records(k), agora.EventNodeReported)
}

func (b *batch) records(k key) plog.LogRecordSlice {
	en := b.entry(k, entryRecords)
	rls := en.logs.ResourceLogs()
	if rls.Len() == 0 {
		rls.AppendEmpty().ScopeLogs().AppendEmpty()
	}
	return rls.At(0).ScopeLogs().At(0).LogRecords()
}

// foldedAttributes are the span attributes folding reads.
var foldedAttributes = func() map[string]bool {
	keep := map[string]bool{}
	for _, k := range []string{agora.AttrExecutionID, agora.SpanAttrFlow, agora.SpanAttrNode, agora.SpanAttrKind,
		agora.SpanAttrNodeType, agora.SpanAttrPhase, agora.SpanAttrExecutionID, agora.SpanAttrTotalDurationMs,
		agora.SpanAttrDurationMs, agora.SpanAttrRetryCount, agora.SpanAttrNextAction, agora.SpanAttrInput, agora.SpanAttrOutput} {
		keep[k] = true
	}
	for _, keys := range [][]string{agora.UsagePromptKeys, agora.UsageCompletionKeys, agora.UsageTotalKeys,
		agora.UsageCostKeys, agora.LLMCallMarkers, agora.ModelKeys, agora.ConventionAttributes, agora.SessionKeys, agora.UserKeys, agora.ProviderKeys} {
		for _, k := range keys {
			keep[k] = true
		}
	}
	return keep
}()

// strip copies what folding reads of a span.
func strip(dst, src ptrace.Span) {
	dst.SetTraceID(src.TraceID())
	dst.SetSpanID(src.SpanID())
	dst.SetParentSpanID(src.ParentSpanID())
	dst.SetName(src.Name())
	dst.SetStartTimestamp(src.StartTimestamp())
	dst.SetEndTimestamp(src.EndTimestamp())
	src.Status().CopyTo(dst.Status())
	// The kept attributes are picked once, then copied into a map sized for
	// them (and a session and a user, see batch.span).
	type attr struct {
		k string
		v pcommon.Value
	}
	var stack [24]attr
	kept := stack[:0]
	for k, v := range src.Attributes().All() {
		if foldedAttributes[k] {
			kept = append(kept, attr{k, v})
		}
	}
	attrs := dst.Attributes()
	attrs.EnsureCapacity(len(kept) + 2)
	for _, a := range kept {
		a.v.CopyTo(attrs.PutEmpty(a.k))
	}
	if src.Status().Code() == ptrace.StatusCodeError && src.Status().Message() == "" {
		for _, ev := range src.Events().All() {
			if ev.Name() == agora.EventException {
				d := dst.Events().AppendEmpty()
				d.SetName(ev.Name())
				d.Attributes().PutStr(agora.AttrExceptionMessage, agora.Str(ev.Attributes(), agora.AttrExceptionMessage))
				break
			}
		}
	}
}
