package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// The state survives restarts through a storage extension: every flush
// writes a snapshot of each changed execution and deletes forgotten ones;
// Start reads them all back. Without it, telemetry arriving after a restart
// would start a fresh, partial state whose record would replace the
// complete one.

const keyPrefix = "exec/"

func storageKey(k key) string { return keyPrefix + k.org + "/" + k.exec.String() }

type persister struct {
	client storage.Client
	walker storage.Walker
}

func openStorage(ctx context.Context, host component.Host, id component.ID, self component.ID) (*persister, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("storage %q: no such extension", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage %q is not a storage extension", id)
	}
	client, err := se.GetClient(ctx, component.KindProcessor, self, "")
	if err != nil {
		return nil, fmt.Errorf("storage %q: %w", id, err)
	}
	walker, ok := client.(storage.Walker)
	if !ok {
		_ = client.Close(ctx)
		return nil, fmt.Errorf("storage %q cannot list its entries (it does not implement Walk); use file_storage", id)
	}
	return &persister{client: client, walker: walker}, nil
}

// restore loads every snapshot into s.
func (p *persister) restore(ctx context.Context, s *state) (int, error) {
	n := 0
	err := p.walker.Walk(ctx, func(k string, v []byte) ([]*storage.Operation, error) {
		var snap snapshot
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber() // keeps integers in inputs and outputs integers
		if err := dec.Decode(&snap); err != nil {
			// A snapshot we cannot read is dropped, not fatal.
			return []*storage.Operation{storage.DeleteOperation(k)}, nil
		}
		s.adopt(snap.execution())
		n++
		return nil, nil
	})
	return n, err
}

func (p *persister) write(ctx context.Context, ops []*storage.Operation) error {
	if len(ops) == 0 {
		return nil
	}
	return p.client.Batch(ctx, ops...)
}

// snapshot is an execution's whole fold state, as JSON.
type snapshot struct {
	Org         string                 `json:"org"`
	OrgName     string                 `json:"org_name"`
	Rec         agora.Execution        `json:"rec"`
	Input       any                    `json:"input,omitempty"`
	Output      any                    `json:"output,omitempty"`
	APIStarted  bool                   `json:"api_started,omitempty"`
	APIComplete bool                   `json:"api_complete,omitempty"`
	FlowSeen    bool                   `json:"flow_seen,omitempty"`
	Sources     uint8                  `json:"sources"`
	FirstStart  time.Time              `json:"first_start"`
	Nodes       []nodeSnapshot         `json:"nodes,omitempty"`
	Phases      map[string][]phaseSnap `json:"phases,omitempty"`
	Parents     map[string]string      `json:"parents,omitempty"`
	Usage       map[string]usageSnap   `json:"usage,omitempty"`
}

type nodeSnapshot struct {
	Rec      agora.NodeExecution `json:"rec"`
	Input    any                 `json:"input,omitempty"`
	Output   any                 `json:"output,omitempty"`
	Spans    []string            `json:"spans,omitempty"`
	FromSpan bool                `json:"from_span,omitempty"`
	Reported bool                `json:"reported,omitempty"`
}

type phaseSnap struct {
	Name       string  `json:"name"`
	DurationMs float64 `json:"duration_ms"`
	Retry      *int64  `json:"retry,omitempty"`
	NextAction string  `json:"next_action,omitempty"`
	Input      any     `json:"input,omitempty"`
	Output     any     `json:"output,omitempty"`
	ErrMsg     string  `json:"err_msg,omitempty"`
	IsErr      bool    `json:"is_err,omitempty"`
}

type usageSnap struct {
	Prompt, Completion, Total int64
	Cost                      float64
	HasCost, LLM              bool
	NodeName                  string
	Parent                    string
	Start                     time.Time
}

func raw(v pcommon.Value) any {
	if v == (pcommon.Value{}) {
		return nil
	}
	return v.AsRaw()
}

// value rebuilds a value from its snapshot form (JSON decoded with UseNumber).
func value(x any) pcommon.Value {
	v := pcommon.NewValueEmpty()
	setRaw(v, x)
	return v
}

func setRaw(v pcommon.Value, x any) {
	switch t := x.(type) {
	case nil:
	case json.Number:
		if i, err := t.Int64(); err == nil {
			v.SetInt(i)
		} else if f, err := t.Float64(); err == nil {
			v.SetDouble(f)
		}
	case map[string]any:
		m := v.SetEmptyMap()
		for k, e := range t {
			setRaw(m.PutEmpty(k), e)
		}
	case []any:
		sl := v.SetEmptySlice()
		for _, e := range t {
			setRaw(sl.AppendEmpty(), e)
		}
	default:
		_ = v.FromRaw(t)
	}
}

func spanHex(id pcommon.SpanID) string { return hex.EncodeToString(id[:]) }

func spanOf(s string) pcommon.SpanID {
	var id pcommon.SpanID
	_, _ = hex.Decode(id[:], []byte(s))
	return id
}

func (e *execution) snapshot() snapshot {
	snap := snapshot{Org: e.key.org, OrgName: e.orgName, Rec: e.rec, Input: raw(e.rec.Input), Output: raw(e.rec.Output),
		APIStarted: e.apiStarted, APIComplete: e.apiComplete, FlowSeen: e.flowSeen, Sources: e.sources, FirstStart: e.firstStart,
		Phases: map[string][]phaseSnap{}, Parents: map[string]string{}, Usage: map[string]usageSnap{}}
	snap.Rec.Input, snap.Rec.Output = pcommon.Value{}, pcommon.Value{}
	spans := map[*node][]string{}
	for sp, nd := range e.nodeBySpan {
		spans[nd] = append(spans[nd], spanHex(sp))
	}
	for _, nd := range e.nodes {
		ns := nodeSnapshot{Rec: nd.rec, Input: raw(nd.rec.Input), Output: raw(nd.rec.Output), Spans: spans[nd], FromSpan: nd.fromSpan, Reported: nd.reported}
		ns.Rec.Input, ns.Rec.Output = pcommon.Value{}, pcommon.Value{}
		snap.Nodes = append(snap.Nodes, ns)
	}
	for sp, ps := range e.phases {
		for _, p := range ps {
			snap.Phases[spanHex(sp)] = append(snap.Phases[spanHex(sp)], phaseSnap{Name: p.name, DurationMs: p.durationMs, Retry: p.retry,
				NextAction: p.nextAction, Input: raw(p.input), Output: raw(p.output), ErrMsg: p.errMsg, IsErr: p.isErr})
		}
	}
	for sp, parent := range e.parents {
		snap.Parents[spanHex(sp)] = spanHex(parent)
	}
	for sp, u := range e.usage {
		snap.Usage[spanHex(sp)] = usageSnap{Prompt: u.prompt, Completion: u.completion, Total: u.total, Cost: u.cost,
			HasCost: u.hasCost, LLM: u.llm, NodeName: u.nodeName, Parent: spanHex(u.parent), Start: u.start}
	}
	return snap
}

func (snap snapshot) execution() *execution {
	e := &execution{key: key{snap.Org, snap.Rec.ExecutionID}, orgName: snap.OrgName, rec: snap.Rec,
		apiStarted: snap.APIStarted, apiComplete: snap.APIComplete, flowSeen: snap.FlowSeen, sources: snap.Sources, firstStart: snap.FirstStart,
		nodes: map[uuid.UUID]*node{}, nodeBySpan: map[pcommon.SpanID]*node{}, phases: map[pcommon.SpanID][]phase{},
		parents: map[pcommon.SpanID]pcommon.SpanID{}, usage: map[pcommon.SpanID]spanUsage{}}
	e.rec.Input, e.rec.Output = value(snap.Input), value(snap.Output)
	for _, ns := range snap.Nodes {
		nd := &node{rec: ns.Rec, fromSpan: ns.FromSpan, reported: ns.Reported}
		nd.rec.Input, nd.rec.Output = value(ns.Input), value(ns.Output)
		e.nodes[nd.rec.ID] = nd
		for _, sp := range ns.Spans {
			e.nodeBySpan[spanOf(sp)] = nd
		}
	}
	for sp, ps := range snap.Phases {
		for _, p := range ps {
			e.phases[spanOf(sp)] = append(e.phases[spanOf(sp)], phase{name: p.Name, durationMs: p.DurationMs, retry: p.Retry,
				nextAction: p.NextAction, input: value(p.Input), output: value(p.Output), errMsg: p.ErrMsg, isErr: p.IsErr})
		}
	}
	for sp, parent := range snap.Parents {
		e.parents[spanOf(sp)] = spanOf(parent)
	}
	for sp, u := range snap.Usage {
		e.usage[spanOf(sp)] = spanUsage{usage: usage{prompt: u.Prompt, completion: u.Completion, total: u.Total, cost: u.Cost, hasCost: u.HasCost, llm: u.LLM},
			nodeName: u.NodeName, parent: spanOf(u.Parent), start: u.Start}
	}
	return e
}

// adopt puts a restored execution into the state, unchanged (not dirty).
func (s *state) adopt(e *execution) {
	if _, ok := s.execs[e.key]; ok {
		return
	}
	e.elem = s.lru.PushFront(e)
	s.execs[e.key] = e
	s.newExecs++
}
