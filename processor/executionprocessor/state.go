package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"container/list"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// key names an execution: tenants never share state.
type key struct {
	org  string
	exec uuid.UUID
}

// state holds every in-flight execution. Each change is one typed event
// (onStart, onComplete, onNodeReport, onSpan) applied under the lock;
// flush turns what changed into records.
type state struct {
	cfg     *Config
	execs   map[key]*execution
	lru     *list.List        // front: most recently seen
	aliases map[key]uuid.UUID // (org, trace id as UUID) -> execution id a flow span named
	evicted []*execution      // dropped for max_executions, emitted at the next flush
	// persist: collect storage operations (snapshots of changed executions,
	// deletes of forgotten ones) for the storage extension.
	persist bool
	ops     []*storage.Operation
	// counters since the last flush, for the telemetry
	newExecs, gone, evictions, timeouts int64
}

type execution struct {
	key         key
	orgName     string
	elem        *list.Element
	rec         agora.Execution
	apiStarted  bool
	apiComplete bool
	flowSeen    bool
	sources     uint8 // 1: api, 2: otlp
	// firstStart is the start of the first emitted record. The executions
	// table is partitioned by start date and read with per-partition FINAL,
	// so every version must keep that date (the time may still be refined).
	firstStart time.Time
	nodes      map[uuid.UUID]*node
	nodeBySpan map[pcommon.SpanID]*node
	phases     map[pcommon.SpanID][]phase // phases waiting for their node span
	parents    map[pcommon.SpanID]pcommon.SpanID
	usage      map[pcommon.SpanID]spanUsage
	dirty      bool
}

type node struct {
	rec       agora.NodeExecution
	fromSpan  bool
	reported  bool // an SDK report: its own token fields, if any, are kept
	nodeStart time.Time
	nodeEnd   time.Time
}

type phase struct {
	name       string
	durationMs float64
	retry      *int64
	nextAction string
	input      pcommon.Value
	output     pcommon.Value
	errMsg     string
	isErr      bool
}

type spanUsage struct {
	usage
	nodeName string
	parent   pcommon.SpanID
	start    time.Time
}

const (
	fromAPI  = 1
	fromOTLP = 2
)

func newState(cfg *Config) *state {
	return &state{cfg: cfg, execs: map[key]*execution{}, lru: list.New(), aliases: map[key]uuid.UUID{}}
}

// get returns the execution, creating it (and evicting the least recently
// seen one beyond max_executions).
func (s *state) get(k key, orgName string, now time.Time) *execution {
	e, ok := s.execs[k]
	if !ok {
		e = &execution{
			key: k, orgName: orgName, rec: agora.Execution{Scope: agora.Scope{ExecutionID: k.exec}},
			nodes: map[uuid.UUID]*node{}, nodeBySpan: map[pcommon.SpanID]*node{}, phases: map[pcommon.SpanID][]phase{},
			parents: map[pcommon.SpanID]pcommon.SpanID{}, usage: map[pcommon.SpanID]spanUsage{},
		}
		e.elem = s.lru.PushFront(e)
		s.execs[k] = e
		s.newExecs++
		for len(s.execs) > s.cfg.MaxExecutions {
			old := s.lru.Back().Value.(*execution)
			s.remove(old)
			s.evicted = append(s.evicted, old)
			s.evictions++
		}
	}
	if orgName != "" {
		e.orgName = orgName
	}
	e.rec.LastSeen = now
	e.dirty = true
	s.lru.MoveToFront(e.elem)
	return e
}

func (s *state) remove(e *execution) {
	delete(s.execs, e.key)
	s.lru.Remove(e.elem)
	s.gone++
	if s.persist {
		s.ops = append(s.ops, storage.DeleteOperation(storageKey(e.key)))
	}
}

// onStart: POST /start or a batch auto-start.
func (s *state) onStart(org, orgName string, st agora.ExecutionStart, now time.Time) {
	e := s.get(key{org, st.ExecutionID}, orgName, now)
	e.sources |= fromAPI
	e.apiStarted = true
	e.setScope(st.Scope)
	e.rec.StartedAt = st.StartedAt
	e.rec.Input = st.Input
}

// onComplete: POST /complete. The SDK's status is the final word.
func (s *state) onComplete(org, orgName string, c agora.ExecutionCompletion, now time.Time) {
	e := s.get(key{org, c.ExecutionID}, orgName, now)
	e.sources |= fromAPI
	e.apiComplete = true
	e.rec.Status = c.Status
	done, dur := c.CompletedAt, c.DurationMs
	e.rec.CompletedAt, e.rec.DurationMs = &done, &dur
	e.rec.Output = c.Output
	e.rec.ErrorMessage = c.ErrorMessage
}

// onNodeReport: a node execution as the SDK reported it (complete, so it
// replaces what the record had, but keeps token usage folded from spans).
func (s *state) onNodeReport(org, orgName string, n agora.NodeExecution, now time.Time) {
	e := s.get(key{org, n.ExecutionID}, orgName, now)
	e.sources |= fromAPI
	e.setScope(n.Scope)
	nd := e.nodes[n.ID]
	if nd == nil {
		nd = &node{}
		e.nodes[n.ID] = nd
	}
	nd.rec, nd.reported = n, true
}

// onSpan: any span. agora_tracer's .flow, .node and phase spans shape the
// records; any span may carry LLM usage.
func (s *state) onSpan(org, orgName, project string, span ptrace.Span, now time.Time) {
	attrs := span.Attributes()
	traceExec := uuid.UUID(span.TraceID())
	exec, fromJSON := traceExec, false
	if id, err := uuid.Parse(str(attrs, agora.AttrExecutionID)); err == nil {
		exec, fromJSON = id, true
	} else if alias, ok := s.aliases[key{org, traceExec}]; ok {
		exec = alias
	}
	flow := str(attrs, "agora.flow")
	if flow != "" && !fromJSON {
		// A flow started through the JSON API names that execution: the two
		// describe one run and become one record.
		if id, err := uuid.Parse(str(attrs, "execution_id")); err == nil && id != traceExec {
			s.aliases[key{org, traceExec}] = id
			exec = id
			if early, ok := s.execs[key{org, traceExec}]; ok {
				s.merge(early, s.get(key{org, id}, orgName, now))
			}
		}
	}
	e := s.get(key{org, exec}, orgName, now)
	if fromJSON {
		e.sources |= fromAPI
	} else {
		e.sources |= fromOTLP
	}
	id, parent := span.SpanID(), span.ParentSpanID()
	if !parent.IsEmpty() {
		e.parents[id] = parent
	}
	switch {
	case flow != "":
		e.onFlowSpan(org, flow, project, span)
	case str(attrs, "agora.phase") != "":
		p := phaseOf(span)
		if nd := e.nodeBySpan[parent]; nd != nil {
			nd.apply(p)
		} else {
			e.phases[parent] = append(e.phases[parent], p)
		}
	case str(attrs, "agora.kind") == "node" || strings.HasSuffix(span.Name(), ".node") && str(attrs, "agora.node") != "":
		e.onNodeSpan(span)
	}
	if u := usageOf(attrs, s.cfg.Prices); !u.empty() {
		e.usage[id] = spanUsage{usage: u, nodeName: str(attrs, "agora.node"), parent: parent, start: span.StartTimestamp().AsTime()}
	}
}

func (e *execution) setScope(sc agora.Scope) {
	if sc.WorkflowName != "" {
		e.rec.ProjectName, e.rec.ProjectID = sc.ProjectName, sc.ProjectID
		e.rec.WorkflowName, e.rec.WorkflowID = sc.WorkflowName, sc.WorkflowID
	}
}

func (e *execution) onFlowSpan(org, flow, project string, span ptrace.Span) {
	e.flowSeen = true
	if e.rec.WorkflowName == "" {
		if project == "" {
			project = agora.DefaultProjectName
		}
		pid := agora.ProjectID(org, project)
		e.setScope(agora.Scope{ProjectName: project, ProjectID: pid, WorkflowName: flow, WorkflowID: agora.WorkflowID(pid, flow)})
	}
	start, end := span.StartTimestamp().AsTime(), span.EndTimestamp().AsTime()
	if !e.apiStarted {
		e.rec.StartedAt = start
	}
	if !e.apiComplete {
		e.rec.Status = "success"
		if isErr, msg := spanError(span); isErr {
			e.rec.Status, e.rec.ErrorMessage = "error", msg
		}
		dur := float64(end.Sub(start)) / float64(time.Millisecond)
		if v, ok := span.Attributes().Get("total_duration_ms"); ok {
			if f, ok := number(v); ok {
				dur = f
			}
		}
		e.rec.CompletedAt, e.rec.DurationMs = &end, &dur
	}
}

func (e *execution) onNodeSpan(span ptrace.Span) {
	attrs := span.Attributes()
	name := str(attrs, "agora.node")
	if name == "" {
		name = strings.TrimSuffix(span.Name(), ".node")
	}
	start, end := span.StartTimestamp().AsTime(), span.EndTimestamp().AsTime()
	id := agora.ItemID(e.key.exec, "node_execution", name, start.Format(time.RFC3339Nano))
	nd := e.nodes[id]
	if nd == nil {
		nd = &node{rec: agora.NodeExecution{ID: id, NodeName: name, Input: pcommon.NewValueEmpty(), Output: pcommon.NewValueEmpty()}}
		e.nodes[id] = nd
	}
	e.nodeBySpan[span.SpanID()] = nd
	nd.fromSpan, nd.nodeStart, nd.nodeEnd = true, start, end
	if !nd.reported {
		nd.rec.NodeType = str(attrs, "agora.node_type")
		nd.rec.StartedAt, nd.rec.CompletedAt = start, &end
		if nd.rec.Status != "error" {
			nd.rec.Status = "success"
		}
		if isErr, msg := spanError(span); isErr {
			nd.rec.Status, nd.rec.ErrorMessage = "error", msg
		}
	}
	for _, p := range e.phases[span.SpanID()] {
		nd.apply(p)
	}
	delete(e.phases, span.SpanID())
}

func phaseOf(span ptrace.Span) phase {
	attrs := span.Attributes()
	p := phase{name: str(attrs, "agora.phase"), nextAction: str(attrs, "next_action"),
		durationMs: float64(span.EndTimestamp().AsTime().Sub(span.StartTimestamp().AsTime())) / float64(time.Millisecond)}
	if v, ok := attrs.Get("duration_ms"); ok {
		if f, ok := number(v); ok {
			p.durationMs = f
		}
	}
	if v, ok := attrs.Get("retry_count"); ok {
		if f, ok := number(v); ok {
			r := int64(f)
			p.retry = &r
		}
	}
	p.input, p.output = copyAttr(attrs, "input"), copyAttr(attrs, "output")
	p.isErr, p.errMsg = spanError(span)
	return p
}

// apply folds a phase into its node, unless the SDK reported the node itself.
func (nd *node) apply(p phase) {
	if nd.reported {
		return
	}
	d := p.durationMs
	switch p.name {
	case "prep":
		nd.rec.PrepDurationMs = &d
	case "exec":
		nd.rec.ExecDurationMs = &d
		if p.retry != nil {
			nd.rec.RetryCount = *p.retry
		}
		if p.input.Type() != pcommon.ValueTypeEmpty {
			nd.rec.Input = p.input
		}
		if p.output.Type() != pcommon.ValueTypeEmpty {
			nd.rec.Output = p.output
		}
	case "post":
		nd.rec.PostDurationMs = &d
		nd.rec.NextAction = p.nextAction
	}
	if p.isErr {
		nd.rec.Status = "error"
		if nd.rec.ErrorMessage == "" {
			nd.rec.ErrorMessage = p.errMsg
		}
	}
}

// spanError: status ERROR, with the status message or an exception event's.
func spanError(span ptrace.Span) (bool, string) {
	if span.Status().Code() != ptrace.StatusCodeError {
		return false, ""
	}
	if m := span.Status().Message(); m != "" {
		return true, m
	}
	for _, ev := range span.Events().All() {
		if ev.Name() == "exception" {
			return true, str(ev.Attributes(), "exception.message")
		}
	}
	return true, ""
}

func copyAttr(attrs pcommon.Map, k string) pcommon.Value {
	out := pcommon.NewValueEmpty()
	if v, ok := attrs.Get(k); ok {
		v.CopyTo(out)
	}
	return out
}

// merge moves what was folded under a trace id into the execution its flow
// span named.
func (s *state) merge(from, into *execution) {
	for id, nd := range from.nodes {
		if _, ok := into.nodes[id]; !ok {
			into.nodes[id] = nd
		}
	}
	for sp, nd := range from.nodeBySpan {
		into.nodeBySpan[sp] = nd
	}
	for sp, ps := range from.phases {
		into.phases[sp] = append(into.phases[sp], ps...)
	}
	for sp, p := range from.parents {
		into.parents[sp] = p
	}
	for sp, u := range from.usage {
		into.usage[sp] = u
	}
	into.sources |= from.sources
	s.remove(from)
}

// flush marks timeouts, turns changed executions into records, and forgets
// finished ones past retention. With persistence it also returns the storage
// operations that bring the stored state up to date.
func (s *state) flush(now time.Time) (plog.Logs, []*storage.Operation) {
	ld := plog.NewLogs()
	resources := map[string]plog.LogRecordSlice{}
	out := func(e *execution) {
		lrs, ok := resources[e.key.org]
		if !ok {
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr(agora.AttrOrgID, e.key.org)
			rl.Resource().Attributes().PutStr(agora.AttrOrgName, e.orgName)
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName("github.com/agora-otelcol/agora-otelcol/processor/executionprocessor")
			lrs = sl.LogRecords()
			resources[e.key.org] = lrs
		}
		e.records(lrs, now)
		e.dirty = false
		if s.persist {
			if b, err := json.Marshal(e.snapshot()); err == nil {
				s.ops = append(s.ops, storage.SetOperation(storageKey(e.key), b))
			}
		}
	}
	for _, e := range s.evicted {
		if e.dirty {
			persist := s.persist
			s.persist = false // gone from state: its delete is already queued
			out(e)
			s.persist = persist
		}
	}
	s.evicted = s.evicted[:0]
	for _, e := range s.execs {
		running := e.rec.Status == "" || e.rec.Status == "running"
		if running && now.Sub(e.rec.LastSeen) >= s.cfg.ExecutionTimeout {
			e.rec.Status = "timeout"
			e.dirty = true
			s.timeouts++
		}
		if e.dirty {
			out(e)
		} else if !running && now.Sub(e.rec.LastSeen) >= s.cfg.Retention {
			s.remove(e)
		}
	}
	ops := s.ops
	s.ops = nil
	return ld, ops
}

// records writes the execution's record and its node records, every one
// complete: the newest version alone is the truth.
func (e *execution) records(lrs plog.LogRecordSlice, now time.Time) {
	nodeUsage, execUsage := e.attributeUsage()
	rec := e.rec
	rec.NodeCount, rec.ErrorCount, rec.RetryCount = 0, 0, 0
	rec.PromptTokens, rec.CompletionTokens, rec.TotalTokens, rec.EstimatedCost = execUsage.prompt, execUsage.completion, execUsage.total, execUsage.cost
	if rec.Status == "" {
		rec.Status = "running"
	}
	for _, nd := range e.nodes {
		if nd.rec.NodeName == "" {
			continue
		}
		n := nd.rec
		n.Scope = e.rec.Scope
		if n.WorkflowName != "" {
			n.NodeID = agora.NodeID(n.WorkflowID, n.NodeName)
		}
		if u, ok := nodeUsage[nd]; ok {
			n.PromptTokens, n.CompletionTokens, n.TotalTokens = &u.prompt, &u.completion, &u.total
			if u.hasCost {
				n.EstimatedCost = &u.cost
			}
		}
		if n.Input == (pcommon.Value{}) {
			n.Input = pcommon.NewValueEmpty()
		}
		if n.Output == (pcommon.Value{}) {
			n.Output = pcommon.NewValueEmpty()
		}
		if rec.StartedAt.IsZero() || (!e.apiStarted && !e.flowSeen && n.StartedAt.Before(rec.StartedAt)) {
			rec.StartedAt = n.StartedAt
		}
		rec.NodeCount++
		if n.Status == "error" {
			rec.ErrorCount++
		}
		rec.RetryCount += n.RetryCount
		rec.PromptTokens += deref(n.PromptTokens)
		rec.CompletionTokens += deref(n.CompletionTokens)
		rec.TotalTokens += deref(n.TotalTokens)
		if n.EstimatedCost != nil {
			rec.EstimatedCost += *n.EstimatedCost
		}
		n.AppendAs(lrs, agora.EventNodeExecutionRecord)
		lrs.At(lrs.Len() - 1).SetObservedTimestamp(pcommon.NewTimestampFromTime(now))
	}
	if rec.StartedAt.IsZero() {
		rec.StartedAt = rec.LastSeen
	}
	if e.firstStart.IsZero() {
		e.firstStart = rec.StartedAt
	} else if !sameDay(rec.StartedAt, e.firstStart) {
		rec.StartedAt = e.firstStart
	}
	rec.Source = map[uint8]string{fromAPI: "api", fromOTLP: "otlp", fromAPI | fromOTLP: "api+otlp"}[e.sources]
	if rec.Input == (pcommon.Value{}) {
		rec.Input = pcommon.NewValueEmpty()
	}
	if rec.Output == (pcommon.Value{}) {
		rec.Output = pcommon.NewValueEmpty()
	}
	rec.Append(lrs)
	lrs.At(lrs.Len() - 1).SetObservedTimestamp(pcommon.NewTimestampFromTime(now))
}

// attributeUsage gives each LLM usage to its node: up the span parents to a
// node span, else by the agora.node name; the rest is the execution's own.
// Where a node has LLM-call spans, only those count (no double counting of
// usage repeated on phase or agent spans); nodes an SDK reported with their
// own token fields keep them.
func (e *execution) attributeUsage() (map[*node]usage, usage) {
	llm, other := map[*node]usage{}, map[*node]usage{}
	var execLLM, execOther usage
	for _, u := range e.usage {
		nd := e.nodeOf(u)
		switch {
		case nd == nil && u.llm:
			execLLM.add(u.usage)
			execLLM.llm = true
		case nd == nil:
			execOther.add(u.usage)
		case u.llm:
			t := llm[nd]
			t.add(u.usage)
			t.hasCost = t.hasCost || u.hasCost
			llm[nd] = t
		default:
			t := other[nd]
			t.add(u.usage)
			t.hasCost = t.hasCost || u.hasCost
			other[nd] = t
		}
	}
	out := map[*node]usage{}
	for nd, u := range other {
		out[nd] = u
	}
	for nd, u := range llm {
		out[nd] = u
	}
	for nd := range out {
		if nd.reported && nd.rec.TotalTokens != nil {
			delete(out, nd)
		}
	}
	if execLLM.llm {
		return out, execLLM
	}
	return out, execOther
}

func (e *execution) nodeOf(u spanUsage) *node {
	sp := u.parent
	for range 16 {
		if sp.IsEmpty() {
			break
		}
		if nd := e.nodeBySpan[sp]; nd != nil {
			return nd
		}
		sp = e.parents[sp]
	}
	if u.nodeName == "" {
		return nil
	}
	var best *node
	for _, nd := range e.nodes {
		if nd.rec.NodeName != u.nodeName {
			continue
		}
		end := nd.rec.StartedAt
		if nd.rec.CompletedAt != nil {
			end = *nd.rec.CompletedAt
		}
		if !u.start.Before(nd.rec.StartedAt) && !u.start.After(end) {
			return nd
		}
		if best == nil || nd.rec.StartedAt.After(best.rec.StartedAt) {
			best = nd
		}
	}
	return best
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func sameDay(a, b time.Time) bool {
	ya, ma, da := a.UTC().Date()
	yb, mb, db := b.UTC().Date()
	return ya == yb && ma == mb && da == db
}
