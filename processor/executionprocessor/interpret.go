package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Interpretation: what a span says, as typed facts. A span is read once,
// here; folding (execution.go) never looks at attributes.

// spanKind is the role a span plays in agora_tracer's conventions.
type spanKind uint8

const (
	kindPlain spanKind = iota // no convention: only its parent link matters
	kindFlow                  // <Flow>.flow: the execution
	kindNode                  // <Node>.node: a node execution
	kindPhase                 // <Node>.prep/.exec/.post
)

// spanErr is a span's error: status ERROR, with the status message or an
// exception event's.
type spanErr struct {
	is  bool
	msg string
}

// phase is what a phase span says about its node.
type phase struct {
	name       string
	durationMs float64
	retry      *int64
	nextAction string
	input      pcommon.Value
	output     pcommon.Value
	err        spanErr
}

// spanFacts is one span, interpreted.
type spanFacts struct {
	id, parent pcommon.SpanID
	trace      pcommon.TraceID
	kind       spanKind
	name       string // flow or node name
	nodeType   string
	start, end time.Time
	err        spanErr
	// durationMs is the flow's total_duration_ms when it sends one.
	durationMs *float64
	// apiExec: the span names its execution (Agora API spans carry
	// agora.execution.id; a flow span started through the API too names it
	// in execution_id).
	apiExec uuid.UUID
	fromAPI bool  // sent through the Agora API's /spans
	source  uint8 // the convention that recognised it (conventions.go); 0: none
	// input and output a run or step span captured; session names the
	// run's session or conversation.
	input, output pcommon.Value
	session, user string
	phase         phase
	usage         usage
	usageNode     string // agora.node on a span with usage: the fallback attribution
	// ignored counts numeric attributes out of bounds (agora.CountOK, ...):
	// not folded, counted in the processor's telemetry.
	ignored int
	// keys are the span's attributes the conventions read by name, found
	// in one pass.
	keys agora.SpanKeys
}

func (f *spanFacts) hasUsage() bool { return !f.usage.empty() }

// sourceBit is where the span came from: the JSON API, or the convention
// that recognised it (0 for LLM calls and plain spans: they name no run).
func (f *spanFacts) sourceBit() uint8 {
	if f.fromAPI {
		return fromAPI
	}
	return f.source
}

// relevant reports whether the span shapes an execution on its own. Plain
// spans only link parents within executions that something else started.
func (f *spanFacts) relevant() bool { return f.kind != kindPlain || f.hasUsage() || f.fromAPI }

// withResource fills the session and user a span does not name from its
// resource's attributes (an SDK may set them once per process or request).
func (f *spanFacts) withResource(session, user string) {
	if f.session == "" {
		f.session = session
	}
	if f.user == "" {
		f.user = user
	}
}

// interpret reads a span into f, overwriting it: callers reuse one
// spanFacts for a request's spans (the conventions take it by pointer
// through an interface, so a fresh one per span would be a heap object).
// prices turn LLM tokens into cost.
func interpret(f *spanFacts, span ptrace.Span, prices []Price) {
	attrs := span.Attributes()
	*f = spanFacts{id: span.SpanID(), parent: span.ParentSpanID(), trace: span.TraceID(),
		start: span.StartTimestamp().AsTime(), end: span.EndTimestamp().AsTime(), err: errorOf(span)}
	f.keys.Read(attrs)
	if id, err := uuid.Parse(f.keys.Str(agora.KeyExecutionID)); err == nil {
		f.apiExec, f.fromAPI = id, true
	}
	for _, c := range conventions {
		if c.read(span, attrs, f) {
			f.source = c.source()
			break
		}
	}
	// Most spans carry none of the optional keys: their look-ups are skipped.
	fam := f.keys.Families
	if fam&agora.FamilySession != 0 {
		f.session = agora.FirstStr(attrs, agora.SessionKeys)
	}
	if fam&agora.FamilyUser != 0 {
		f.user = agora.FirstStr(attrs, agora.UserKeys)
	}
	llm := fam&agora.FamilyLLMCall != 0 && llmCall(attrs, f)
	if fam&agora.FamilyUsage == 0 {
		f.usage = usage{llm: llm} // what usageOf finds without its keys
		return
	}
	if f.usage = usageOf(attrs, prices, llm, &f.ignored); f.hasUsage() {
		f.usageNode = f.keys.Str(agora.KeyNode)
	}
}

func phaseOf(f *spanFacts) phase {
	k := &f.keys
	p := phase{name: k.Str(agora.KeyPhase), nextAction: k.Str(agora.KeyNextAction),
		durationMs: agora.ClampDurationMs(float64(f.end.Sub(f.start)) / float64(time.Millisecond)), err: f.err,
		input: copyAttr(k.Get(agora.KeyInput)), output: copyAttr(k.Get(agora.KeyOutput))}
	if d, ok := boundedKey(k, agora.KeyDurationMs, agora.DurationOK, &f.ignored); ok {
		p.durationMs = d
	}
	if r, ok := boundedKey(k, agora.KeyRetryCount, agora.RetriesOK, &f.ignored); ok {
		n := int64(r)
		p.retry = &n
	}
	return p
}

// errorOf: status ERROR, with the status message or an exception event's.
func errorOf(span ptrace.Span) spanErr {
	if span.Status().Code() != ptrace.StatusCodeError {
		return spanErr{}
	}
	if m := span.Status().Message(); m != "" {
		return spanErr{true, m}
	}
	for _, ev := range span.Events().All() {
		if ev.Name() == agora.EventException {
			return spanErr{true, agora.Str(ev.Attributes(), agora.AttrExceptionMessage)}
		}
	}
	return spanErr{is: true}
}

// bounded is a numeric attribute within its bounds (ok); false when
// absent, and false and counted in ignored when not a finite number within
// them.
func bounded(attrs pcommon.Map, k string, ok func(float64) bool, ignored *int) (float64, bool) {
	v, found := attrs.Get(k)
	return boundedValue(v, found, ok, ignored)
}

// boundedKey is bounded for a key SpanKeys found.
func boundedKey(keys *agora.SpanKeys, k agora.SpanKey, ok func(float64) bool, ignored *int) (float64, bool) {
	v, found := keys.Get(k)
	return boundedValue(v, found, ok, ignored)
}

func boundedValue(v pcommon.Value, found bool, ok func(float64) bool, ignored *int) (float64, bool) {
	if !found {
		return 0, false
	}
	if f, isNum := agora.Number(v); isNum && ok(f) {
		return f, true
	}
	*ignored++
	return 0, false
}

// copyAttr detaches an attribute from the request's pdata, which the
// pipeline passes on and may change or free. An absent one is the zero
// Value (not Present), without an allocation: most spans carry none.
func copyAttr(v pcommon.Value, ok bool) pcommon.Value {
	if !ok {
		return pcommon.Value{}
	}
	out := pcommon.NewValueEmpty()
	v.CopyTo(out)
	return out
}

// detached copies a decoded record's value out of its log record.
func detached(v pcommon.Value) pcommon.Value {
	out := pcommon.NewValueEmpty()
	if agora.Present(v) {
		v.CopyTo(out)
	}
	return out
}
