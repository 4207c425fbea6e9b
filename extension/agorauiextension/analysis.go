package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

// The workflow graph, LLM calls and usage: what the Workflows, execution
// detail and Usage pages draw.

type nodeStats struct {
	NodeName string  `ch:"node_name" json:"name"`
	Runs     uint64  `ch:"runs" json:"runs"`
	Errors   uint64  `ch:"errors" json:"errors"`
	Retries  uint64  `ch:"retries" json:"retries"`
	P50Ms    float64 `ch:"p50_ms" json:"p50_ms"`
	P95Ms    float64 `ch:"p95_ms" json:"p95_ms"`
}

type transition struct {
	From    string `ch:"from_node" json:"from"`
	To      string `ch:"to_node" json:"to"`
	Action  string `ch:"action" json:"action"`
	Traffic uint64 `ch:"traffic" json:"traffic"`
}

// graphNode is a node as the graph draws it.
type graphNode struct {
	nodeStats
	Type       string  `json:"type"`
	Registered bool    `json:"registered"`
	ErrorRate  float64 `json:"error_rate"`
}

// graphEdge is an edge as the graph draws it: registered by the SDK, taken
// by runs, or both.
type graphEdge struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Action     string `json:"action"`
	Traffic    uint64 `json:"traffic"`
	Registered bool   `json:"registered"`
}

// drawnGraph merges the registered graph with what runs did over the
// window: every node either knows, stats on each; registered edges with
// the traffic runs gave them, and the transitions runs took besides.
func drawnGraph(nodes []agora.GraphNodeRow, edges []agora.GraphEdgeRow, stats []nodeStats, moves []transition) ([]graphNode, []graphEdge) {
	byName := map[string]*graphNode{}
	var order []string
	add := func(name string) *graphNode {
		if n := byName[name]; n != nil {
			return n
		}
		n := &graphNode{nodeStats: nodeStats{NodeName: name}}
		byName[name] = n
		order = append(order, name)
		return n
	}
	nameOf := map[uuid.UUID]string{}
	for _, n := range nodes {
		g := add(n.Name)
		g.Registered, g.Type = true, n.Type
		nameOf[n.NodeID] = n.Name
	}
	for _, s := range stats {
		g := add(s.NodeName)
		g.nodeStats = s
		if s.Runs > 0 {
			g.ErrorRate = float64(s.Errors) / float64(s.Runs)
		}
	}
	type key struct{ from, to, action string }
	drawn := map[key]*graphEdge{}
	var out []graphEdge
	var keys []key
	for _, e := range edges {
		k := key{nameOf[e.FromNodeID], nameOf[e.ToNodeID], e.Action}
		if k.from == "" || k.to == "" || drawn[k] != nil {
			continue
		}
		drawn[k] = &graphEdge{From: k.from, To: k.to, Action: k.action, Registered: true}
		keys = append(keys, k)
	}
	for _, m := range moves {
		add(m.From)
		add(m.To)
		// A run's move matches a registered edge by its ends when the SDK
		// registered no action for it.
		k := key{m.From, m.To, m.Action}
		if drawn[k] == nil && drawn[key{m.From, m.To, ""}] != nil {
			k = key{m.From, m.To, ""}
		}
		if e := drawn[k]; e != nil {
			e.Traffic += m.Traffic
			continue
		}
		drawn[k] = &graphEdge{From: m.From, To: m.To, Action: m.Action, Traffic: m.Traffic}
		keys = append(keys, k)
	}
	for _, k := range keys {
		out = append(out, *drawn[k])
	}
	gn := make([]graphNode, 0, len(order))
	for _, name := range order {
		gn = append(gn, *byName[name])
	}
	if out == nil {
		out = []graphEdge{}
	}
	return gn, out
}

// graph: GET /api/workflows/{id}/graph?from&to: the workflow's nodes (with
// their code) and edges as its SDK last registered them, and the graph
// drawn from them and from what its runs did over the window (default the
// last 24 h): per node runs, errors, retries, p50/p95; per edge its action
// and traffic.
func (u *ui) graph(ctx context.Context, k *apikey.Key, r *http.Request, args []string) (any, error) {
	workflow, err := uuid.Parse(args[0])
	if err != nil {
		return nil, badParam("workflow id", "not a UUID")
	}
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		return nil, err
	}
	nodes, edges := []agora.GraphNodeRow{}, []agora.GraphEdgeRow{}
	var stats []nodeStats
	var moves []transition
	g, gctx := errgroup.WithContext(ctx)
	for name, dst := range map[string]any{"graph_nodes": &nodes, "graph_edges": &edges} {
		g.Go(func() error { return u.selectNamed(gctx, dst, name, queries.Data{}, k.OrgID, workflow) })
	}
	for name, dst := range map[string]any{"graph_stats": &stats, "graph_transitions": &moves} {
		g.Go(func() error { return u.selectNamed(gctx, dst, name, queries.Data{}, k.OrgID, workflow, f.from, f.to) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(nodes) == 0 && len(edges) == 0 && len(stats) == 0 {
		// Nothing registered, no runs in the window; another org's
		// workflow looks the same.
		return nil, apiError{http.StatusNotFound, "workflow graph not found"}
	}
	gn, ge := drawnGraph(nodes, edges, stats, moves)
	return map[string]any{"workflow_id": workflow, "nodes": nodes, "edges": edges, "graph": map[string]any{"nodes": gn, "edges": ge}}, nil
}

func (u *ui) selectNamed(ctx context.Context, dst any, name string, d queries.Data, args ...any) error {
	sql, err := u.sql(name, d)
	if err != nil {
		return err
	}
	return u.db.Select(ctx, dst, sql, args...)
}

// llmCalls: GET /api/executions/{id}/llm: the execution's LLM calls, each
// with the step it was made in, model, provider, prompt and completion
// when captured, tokens, finish reason, cost, latency and errors with
// their exception events in full.
func (u *ui) llmCalls(ctx context.Context, k *apikey.Key, _ *http.Request, args []string) (any, error) {
	exec, err := uuid.Parse(args[0])
	if err != nil {
		return nil, errNotFound
	}
	var traces []struct {
		TraceIDs []string `ch:"TraceIds"`
	}
	if err := u.readExecution(ctx, k, map[string]any{"traces": &traces}, exec); err != nil {
		return nil, err
	}
	ids := []string{}
	if len(traces) > 0 {
		ids = traces[0].TraceIDs
	}
	var spans []agora.SpanRow
	if err := u.readExecution(ctx, k, map[string]any{"llm_spans": &spans}, exec.String(), ids); err != nil {
		return nil, err
	}
	byID := make(map[string]*agora.SpanRow, len(spans))
	for i := range spans {
		byID[spans[i].SpanID] = &spans[i]
	}
	calls := []agora.LLMCall{}
	for i := range spans {
		s := &spans[i]
		if !agora.IsLLMCall(s.Attributes) {
			continue
		}
		c := agora.LLMCallOf(s)
		c.Step = stepOf(s, byID)
		calls = append(calls, c)
	}
	return map[string]any{"calls": calls}, nil
}

// stepOf is the step a call was made in: the nearest span, itself or up,
// that names one.
func stepOf(s *agora.SpanRow, byID map[string]*agora.SpanRow) string {
	for range 32 {
		for _, key := range agora.LLMStepKeys {
			if v := s.Attributes[key]; v != "" {
				return v
			}
		}
		if s = byID[s.ParentSpanID]; s == nil {
			return ""
		}
	}
	return ""
}

type usageModel struct {
	Day              *time.Time `ch:"day" json:"day,omitempty"`
	Model            string     `ch:"model" json:"model"`
	Provider         string     `ch:"provider" json:"provider"`
	NodeRuns         uint64     `ch:"node_runs" json:"node_runs"`
	PromptTokens     int64      `ch:"prompt_tokens" json:"prompt_tokens"`
	CompletionTokens int64      `ch:"completion_tokens" json:"completion_tokens"`
	TotalTokens      int64      `ch:"total_tokens" json:"total_tokens"`
	Cost             float64    `ch:"cost" json:"cost"`
}

func (u *usageModel) add(o *usageModel) {
	u.NodeRuns += o.NodeRuns
	u.PromptTokens += o.PromptTokens
	u.CompletionTokens += o.CompletionTokens
	u.TotalTokens += o.TotalTokens
	u.Cost += o.Cost
}

type usageTotals struct {
	Day              *time.Time `ch:"day" json:"day,omitempty"`
	ProjectName      string     `ch:"project_name" json:"project_name,omitempty"`
	WorkflowName     string     `ch:"workflow_name" json:"workflow_name,omitempty"`
	Executions       uint64     `ch:"executions" json:"executions"`
	PromptTokens     int64      `ch:"prompt_tokens" json:"prompt_tokens"`
	CompletionTokens int64      `ch:"completion_tokens" json:"completion_tokens"`
	TotalTokens      int64      `ch:"total_tokens" json:"total_tokens"`
	Cost             float64    `ch:"cost" json:"cost"`
}

func (u *usageTotals) add(o *usageTotals) {
	u.Executions += o.Executions
	u.PromptTokens += o.PromptTokens
	u.CompletionTokens += o.CompletionTokens
	u.TotalTokens += o.TotalTokens
	u.Cost += o.Cost
}

// usage: GET /api/usage?workflow&from&to: tokens and cost by model and
// provider (node executions' LLM calls), by workflow and by day (the
// executions' whole usage), and by day and model. Two queries, each by day
// and the finer key; the coarser views are summed here.
func (u *ui) usage(ctx context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		return nil, err
	}
	byDayModel, byDayWorkflow := []usageModel{}, []usageTotals{}
	g, gctx := errgroup.WithContext(ctx)
	for name, dst := range map[string]any{"usage_models": &byDayModel, "usage_workflows": &byDayWorkflow} {
		g.Go(func() error {
			return u.selectNamed(gctx, dst, name, queries.Data{}, k.OrgID, f.from, f.to, f.workflow, f.workflow)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return map[string]any{"by_model": sumModels(byDayModel), "by_day_model": byDayModel,
		"by_workflow": sumTotals(byDayWorkflow, false), "by_day": sumTotals(byDayWorkflow, true)}, nil
}

// sumModels totals rows by model and provider, most costly first.
func sumModels(rows []usageModel) []usageModel {
	type key struct{ model, provider string }
	at := map[key]int{}
	out := []usageModel{}
	for i := range rows {
		k := key{rows[i].Model, rows[i].Provider}
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			out = append(out, usageModel{Model: k.model, Provider: k.provider})
		}
		out[j].add(&rows[i])
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Cost > out[j].Cost || out[i].Cost == out[j].Cost && out[i].TotalTokens > out[j].TotalTokens
	})
	return out
}

// sumTotals totals rows by day (in day order) or by workflow (most costly
// first).
func sumTotals(rows []usageTotals, byDay bool) []usageTotals {
	type key struct {
		day               time.Time
		project, workflow string
	}
	at := map[key]int{}
	out := []usageTotals{}
	for i := range rows {
		r := &rows[i]
		var k key
		if byDay {
			k.day = *r.Day
		} else {
			k.project, k.workflow = r.ProjectName, r.WorkflowName
		}
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			t := usageTotals{ProjectName: k.project, WorkflowName: k.workflow}
			if byDay {
				day := k.day
				t.Day = &day
			}
			out = append(out, t)
		}
		out[j].add(r)
	}
	if !byDay {
		sort.SliceStable(out, func(i, j int) bool {
			return out[i].Cost > out[j].Cost || out[i].Cost == out[j].Cost && out[i].TotalTokens > out[j].TotalTokens
		})
	}
	return out
}
