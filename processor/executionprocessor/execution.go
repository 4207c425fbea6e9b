package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"container/list"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// key names an execution: tenants never share state.
type key struct {
	org  string
	exec uuid.UUID
}

// execution is the fold state of one execution. Every change arrives as a
// typed event (the on* methods); records.go turns the state into records.
type execution struct {
	key     key
	orgName string
	elem    *list.Element // in its org's LRU
	// rec holds the execution-level fields; aggregates are computed at emission.
	rec         agora.Execution
	apiStarted  bool
	apiComplete bool
	flowSeen    bool
	sources     uint8
	// firstStart is the start of the first emitted version (see
	// agora.PartitionStart); startJournaled: the journal holds it.
	firstStart     time.Time
	startJournaled bool
	traces         smallMap[pcommon.TraceID, struct{}]
	lastTrace      pcommon.TraceID // the trace last added: a span of it adds nothing

	nodes smallMap[uuid.UUID, *node]
	// bySpan resolves spans to their node: node spans, and the spans found
	// below one (phases, LLM calls), for usage that arrives later.
	bySpan  smallMap[pcommon.SpanID, *node]
	parents smallMap[pcommon.SpanID, pcommon.SpanID] // links of spans not resolved yet
	// waiting for their node span (phases) or for a way up to a node (usage)
	pendingPhases smallMap[pcommon.SpanID, []pendingPhase]
	pendingUsage  smallMap[pcommon.SpanID, pendingUsage]

	// dirty: changed since the last emission. A node changes only with
	// telemetry of its execution (touch) or a failed emission (redirty),
	// both of which set it: the flush looks at this flag alone.
	dirty       bool
	emitted     bool
	settled     bool // a settled version was emitted (agora.AttrRecordRepeat)
	lastEmitted agora.Execution
	truncated   bool // a per-execution cap was reached: some telemetry was not folded
	journal     []uint64
}

type node struct {
	rec      agora.NodeExecution
	spanID   pcommon.SpanID // of its .node span, if one was seen
	fromSpan bool
	reported bool                            // the SDK's report: complete, its fields win over spans'
	usage    smallMap[pcommon.SpanID, usage] // LLM calls below it, by span
	dirty    bool
	emitted  bool
	settled  bool // a settled version was emitted (agora.AttrRecordRepeat)
	// What rec's optional fields point at when spans set them: one
	// allocation per node, not one per field.
	end              time.Time
	prep, exec, post float64
}

type pendingPhase struct {
	id pcommon.SpanID
	phase
}

type pendingUsage struct {
	parent   pcommon.SpanID
	nodeName string
	start    time.Time
	usage
}

func newExecution(k key, orgName string) *execution {
	return &execution{
		key: k, orgName: orgName, rec: agora.Execution{Scope: agora.Scope{ExecutionID: k.exec}},
		// made at their first set: a few nodes, every span of a traced run
		traces: smallMap[pcommon.TraceID, struct{}]{first: 1}, nodes: smallMap[uuid.UUID, *node]{first: 4}, bySpan: smallMap[pcommon.SpanID, *node]{first: smallMax},
	}
}

// spanNode is the node a span resolved to, or nil.
func (e *execution) spanNode(id pcommon.SpanID) *node {
	nd, _ := e.bySpan.get(id)
	return nd
}

// addTrace files a trace under the execution.
func (e *execution) addTrace(t pcommon.TraceID) {
	if t != e.lastTrace || e.traces.len() == 0 {
		e.traces.set(t, struct{}{})
		e.lastTrace = t
	}
}

// touch records telemetry at now.
func (e *execution) touch(orgName string, source uint8, now time.Time) {
	if orgName != "" {
		e.orgName = orgName
	}
	e.sources |= source
	e.rec.LastSeen = now
	e.dirty = true
}

// setScope names the project and workflow; nodes carry them, so a change
// re-emits every node.
func (e *execution) setScope(sc agora.Scope) {
	if sc.WorkflowName == "" || sc.WorkflowID == e.rec.WorkflowID && sc.ProjectID == e.rec.ProjectID {
		return
	}
	e.rec.ProjectName, e.rec.ProjectID = sc.ProjectName, sc.ProjectID
	e.rec.WorkflowName, e.rec.WorkflowID = sc.WorkflowName, sc.WorkflowID
	for _, nd := range e.nodes.all() {
		nd.dirty = true
	}
}

// onStart: POST /start or a batch auto-start.
func (e *execution) onStart(st agora.ExecutionStart) {
	e.apiStarted = true
	e.setScope(st.Scope)
	e.rec.StartedAt = st.StartedAt
	e.rec.Input = detached(st.Input)
	if st.Input.Type() == pcommon.ValueTypeMap {
		in := st.Input.Map()
		if s := agora.FirstStr(in, agora.InputSessionKeys); s != "" {
			e.rec.SessionID = s
		}
		if u := agora.FirstStr(in, agora.InputUserKeys); u != "" {
			e.rec.UserID = u
		}
	}
}

// onComplete: POST /complete. The SDK's status is the final word.
func (e *execution) onComplete(c agora.ExecutionCompletion) {
	e.apiComplete = true
	e.rec.Status = c.Status
	done, dur := c.CompletedAt, c.DurationMs
	e.rec.CompletedAt, e.rec.DurationMs = &done, &dur
	e.rec.Output = detached(c.Output)
	e.rec.ErrorMessage = c.ErrorMessage
}

// onNodeReport: a node execution as the SDK reported it: complete, so it
// replaces what the node had, but keeps usage folded from spans.
func (e *execution) onNodeReport(n agora.NodeExecution, maxNodes int) {
	e.setScope(n.Scope)
	nd := e.node(n.ID, maxNodes)
	if nd == nil {
		return
	}
	n.Input, n.Output = detached(n.Input), detached(n.Output)
	nd.rec, nd.reported, nd.dirty = n, true, true
}

// node returns the node with this id, creating it unless the execution has
// reached maxNodes (then it is marked truncated and nil is returned).
func (e *execution) node(id uuid.UUID, maxNodes int) *node {
	if nd, ok := e.nodes.get(id); ok {
		return nd
	}
	if e.nodes.len() >= maxNodes {
		e.truncated = true
		return nil
	}
	nd := &node{rec: agora.NodeExecution{ID: id}}
	e.nodes.set(id, nd)
	return nd
}

// onFlowSpan: the root span: workflow, start, end and status, unless the
// SDK's own start and completion said them.
func (e *execution) onFlowSpan(org, project string, f *spanFacts) {
	e.flowSeen = true
	if e.rec.WorkflowName == "" {
		if project == "" {
			project = agora.DefaultProjectName
		}
		pid := agora.ProjectID(org, project)
		e.setScope(agora.Scope{ProjectName: project, ProjectID: pid, WorkflowName: f.name, WorkflowID: agora.WorkflowID(pid, f.name)})
	}
	if !e.apiStarted {
		e.rec.StartedAt = f.start
		if agora.Present(f.input) {
			e.rec.Input = f.input
		}
	}
	if e.apiComplete {
		return
	}
	if agora.Present(f.output) {
		e.rec.Output = f.output
	}
	e.rec.Status, e.rec.ErrorMessage = agora.StatusSuccess, ""
	if f.err.is {
		e.rec.Status, e.rec.ErrorMessage = agora.StatusError, f.err.msg
	}
	end, dur := f.end, float64(f.end.Sub(f.start))/float64(time.Millisecond)
	if f.durationMs != nil {
		dur = *f.durationMs
	}
	e.rec.CompletedAt, e.rec.DurationMs = &end, &dur
}

// onNodeSpan: a .node span; its phases may have come first.
func (e *execution) onNodeSpan(f *spanFacts, maxNodes int) {
	nd := e.node(agora.NodeExecutionID(e.key.exec, f.name, f.start), maxNodes)
	if nd == nil {
		return
	}
	nd.spanID, nd.fromSpan, nd.dirty = f.id, true, true
	e.bySpan.set(f.id, nd)
	if !nd.reported {
		nd.rec.NodeName, nd.rec.NodeType = f.name, f.nodeType
		nd.end = f.end
		nd.rec.StartedAt, nd.rec.CompletedAt = f.start, &nd.end
		if nd.rec.Status != agora.StatusError {
			nd.rec.Status = agora.StatusSuccess
		}
		if f.err.is {
			nd.rec.Status, nd.rec.ErrorMessage = agora.StatusError, f.err.msg
		}
		if agora.Present(f.input) {
			nd.rec.Input = f.input
		}
		if agora.Present(f.output) {
			nd.rec.Output = f.output
		}
	}
	phases, _ := e.pendingPhases.get(f.id)
	for _, p := range phases {
		e.bySpan.set(p.id, nd)
		nd.apply(p.phase)
	}
	e.pendingPhases.del(f.id)
	e.resolveUsage()
}

// onPhase: a prep/exec/post span, applied to its node or kept until the
// node span arrives.
func (e *execution) onPhase(f *spanFacts) {
	if nd, _ := e.bySpan.get(f.parent); nd != nil && nd.spanID == f.parent {
		e.bySpan.set(f.id, nd)
		nd.apply(f.phase)
		nd.dirty = true
		e.resolveUsage()
		return
	}
	phases, _ := e.pendingPhases.get(f.parent)
	e.pendingPhases.set(f.parent, append(phases, pendingPhase{f.id, f.phase}))
}

// apply folds a phase into its node, unless the SDK reported the node itself.
func (nd *node) apply(p phase) {
	if nd.reported {
		return
	}
	switch p.name {
	case agora.PhasePrep:
		nd.prep = p.durationMs
		nd.rec.PrepDurationMs = &nd.prep
	case agora.PhaseExec:
		nd.exec = p.durationMs
		nd.rec.ExecDurationMs = &nd.exec
		if p.retry != nil {
			nd.rec.RetryCount = *p.retry
		}
		if agora.Present(p.input) {
			nd.rec.Input = p.input
		}
		if agora.Present(p.output) {
			nd.rec.Output = p.output
		}
	case agora.PhasePost:
		nd.post = p.durationMs
		nd.rec.PostDurationMs = &nd.post
		nd.rec.NextAction = p.nextAction
	}
	if p.err.is {
		nd.rec.Status = agora.StatusError
		if nd.rec.ErrorMessage == "" {
			nd.rec.ErrorMessage = p.err.msg
		}
	}
}

// onLink remembers a span's parent, to find the node of usage below it.
func (e *execution) onLink(f *spanFacts) {
	if f.parent.IsEmpty() {
		return
	}
	if nd, _ := e.bySpan.get(f.parent); nd != nil {
		e.bySpan.set(f.id, nd)
	} else {
		e.parents.set(f.id, f.parent)
	}
}

// merge moves what was folded under a trace id into the execution its flow
// span named. Node ids derive from the execution id, so they are derived
// anew; a node the SDK also reported merges with its report.
func (e *execution) merge(from *execution) {
	moved := make(map[*node]*node, from.nodes.len())
	for _, nd := range from.nodes.all() {
		id := agora.NodeExecutionID(e.key.exec, nd.rec.NodeName, nd.rec.StartedAt)
		to, ok := e.nodes.get(id)
		if !ok {
			to = &node{rec: nd.rec, spanID: nd.spanID, fromSpan: nd.fromSpan, reported: nd.reported}
			to.rec.ID = id
			e.nodes.set(id, to)
		}
		for sp, u := range nd.usage.all() {
			to.usage.set(sp, u)
		}
		to.dirty = true
		moved[nd] = to
	}
	for sp, nd := range from.bySpan.all() {
		e.bySpan.set(sp, moved[nd])
	}
	for sp, ps := range from.pendingPhases.all() {
		phases, _ := e.pendingPhases.get(sp)
		e.pendingPhases.set(sp, append(phases, ps...))
	}
	for sp, p := range from.parents.all() {
		e.parents.set(sp, p)
	}
	for sp, u := range from.pendingUsage.all() {
		e.pendingUsage.set(sp, u)
	}
	for t := range from.traces.all() {
		e.traces.set(t, struct{}{})
	}
	e.sources |= from.sources
	e.truncated = e.truncated || from.truncated
	e.journal = append(e.journal, from.journal...)
	e.dirty = true
	e.resolveUsage()
}

// open: no status but running yet. A timed-out execution is settled, but a
// late completion still changes it.
func (e *execution) open() bool { return e.rec.Status == "" || e.rec.Status == agora.StatusRunning }
