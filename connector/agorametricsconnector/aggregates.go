package agorametricsconnector // import "github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector"

import (
	"sort"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// The metrics, named in OpenTelemetry semantic-convention style (README).
const (
	metricExecutions   = "agora.workflow.executions"
	metricDuration     = "agora.workflow.execution.duration"
	metricNodeDuration = "agora.workflow.node.duration"
	metricRetries      = "agora.workflow.retries"
	metricInFlight     = "agora.workflow.executions.in_flight"
	metricTokens       = "agora.llm.token.usage"
	metricCost         = "agora.llm.cost"

	attrStatus     = "agora.execution.status"
	attrNodeName   = "agora.node.name"
	attrNodeStatus = "agora.node.status"
	attrModel      = "gen_ai.request.model"
	attrTokenType  = "gen_ai.token.type"

	// overflow names what is beyond a cardinality cap.
	overflow = "_other"
	// unknownModel names tokens no span named a model for.
	unknownModel = "unknown"
)

type workflowKey struct{ org, project, workflow string }

type statusKey struct {
	wf     workflowKey
	status agora.Status
}

type nodeKey struct {
	wf           workflowKey
	node, status string
}

type modelKey struct {
	wf    workflowKey
	model string
}

type tokenKey struct {
	modelKey
	typ string
}

// aggregates are the cumulative values of every series.
type aggregates struct {
	cfg          *Config
	workflows    map[string]map[string]struct{} // org -> capped workflow names
	nodes        map[workflowKey]map[string]struct{}
	models       map[string]map[string]struct{} // org -> capped models
	executions   map[statusKey]int64
	retries      map[workflowKey]int64
	inFlight     map[workflowKey]int64
	duration     *histograms[statusKey]
	nodeDuration *histograms[nodeKey]
	tokens       map[tokenKey]int64
	cost         map[modelKey]float64
	// last is the workflow looked up last, as an execution's records come
	// together: its key again without building the capped name. A name's
	// key never changes (the caps never let a name go).
	last struct {
		org, project, workflow string
		key                    workflowKey
	}
}

func newAggregates(cfg *Config) *aggregates {
	return &aggregates{cfg: cfg, workflows: map[string]map[string]struct{}{}, nodes: map[workflowKey]map[string]struct{}{},
		models: map[string]map[string]struct{}{}, executions: map[statusKey]int64{}, retries: map[workflowKey]int64{},
		inFlight: map[workflowKey]int64{}, duration: newHistograms[statusKey](cfg.DurationBuckets),
		nodeDuration: newHistograms[nodeKey](cfg.DurationBuckets), tokens: map[tokenKey]int64{}, cost: map[modelKey]float64{}}
}

// capped is name, or overflow once set holds max names already.
func capped(set map[string]struct{}, name string, max int) string {
	if _, ok := set[name]; ok {
		return name
	}
	if len(set) >= max {
		return overflow
	}
	set[name] = struct{}{}
	return name
}

func (a *aggregates) workflow(org, project, workflow string) workflowKey {
	if l := &a.last; l.key.org != "" && org == l.org && project == l.project && workflow == l.workflow {
		return l.key
	}
	k := a.lookupWorkflow(org, project, workflow)
	a.last.org, a.last.project, a.last.workflow, a.last.key = org, project, workflow, k
	return k
}

func (a *aggregates) lookupWorkflow(org, project, workflow string) workflowKey {
	set := a.workflows[org]
	if set == nil {
		set = map[string]struct{}{}
		a.workflows[org] = set
	}
	name := capped(set, project+"\x00"+workflow, a.cfg.MaxWorkflowsPerOrg)
	if name == overflow {
		return workflowKey{org, overflow, overflow}
	}
	return workflowKey{org, project, workflow}
}

func (a *aggregates) node(wf workflowKey, node string, status agora.Status) nodeKey {
	set := a.nodes[wf]
	if set == nil {
		set = map[string]struct{}{}
		a.nodes[wf] = set
	}
	return nodeKey{wf, capped(set, node, a.cfg.MaxNodesPerWorkflow), string(status)}
}

func (a *aggregates) model(wf workflowKey, model string) modelKey {
	set := a.models[wf.org]
	if set == nil {
		set = map[string]struct{}{}
		a.models[wf.org] = set
	}
	return modelKey{wf, capped(set, model, a.cfg.MaxModelsPerOrg)}
}

func (a *aggregates) addTokens(wf workflowKey, model string, input, output int64) {
	if input <= 0 && output <= 0 {
		return
	}
	m := a.model(wf, model)
	if input > 0 {
		a.tokens[tokenKey{m, "input"}] += input
	}
	if output > 0 {
		a.tokens[tokenKey{m, "output"}] += output
	}
}

// histograms are explicit-bucket histograms by series.
type histograms[K comparable] struct {
	bounds []float64
	h      map[K]*histogram
}

type histogram struct {
	count  uint64
	sum    float64
	counts []uint64 // len(bounds)+1
}

func newHistograms[K comparable](bounds []float64) *histograms[K] {
	return &histograms[K]{bounds: bounds, h: map[K]*histogram{}}
}

func (hs *histograms[K]) observe(k K, v float64) {
	h := hs.h[k]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(hs.bounds)+1)}
		hs.h[k] = h
	}
	i := sort.SearchFloat64s(hs.bounds, v) // the first bound >= v
	h.counts[i]++
	h.count++
	h.sum += v
}

// metrics renders every series, cumulative since start.
func (a *aggregates) metrics(start, now pcommon.Timestamp) pmetric.Metrics {
	md := pmetric.NewMetrics()
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector")
	ms := sm.Metrics()
	point := func(dp interface {
		SetStartTimestamp(pcommon.Timestamp)
		SetTimestamp(pcommon.Timestamp)
		Attributes() pcommon.Map
	}, wf workflowKey,
	) pcommon.Map {
		dp.SetStartTimestamp(start)
		dp.SetTimestamp(now)
		attrs := dp.Attributes()
		attrs.PutStr(agora.AttrOrgID, wf.org)
		attrs.PutStr(agora.AttrProjectName, wf.project)
		attrs.PutStr(agora.AttrWorkflowName, wf.workflow)
		return attrs
	}
	sum := func(name, unit, desc string, monotonic bool) pmetric.NumberDataPointSlice {
		m := ms.AppendEmpty()
		m.SetName(name)
		m.SetUnit(unit)
		m.SetDescription(desc)
		s := m.SetEmptySum()
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		s.SetIsMonotonic(monotonic)
		return s.DataPoints()
	}
	if len(a.executions) > 0 {
		dps := sum(metricExecutions, "{execution}", "Executions by final status.", true)
		for k, v := range a.executions {
			dp := dps.AppendEmpty()
			point(dp, k.wf).PutStr(attrStatus, string(k.status))
			dp.SetIntValue(v)
		}
	}
	if len(a.retries) > 0 {
		dps := sum(metricRetries, "{retry}", "Node retries of finished executions.", true)
		for wf, v := range a.retries {
			dp := dps.AppendEmpty()
			point(dp, wf)
			dp.SetIntValue(v)
		}
	}
	if len(a.inFlight) > 0 {
		dps := sum(metricInFlight, "{execution}", "Executions running now.", false)
		for wf, v := range a.inFlight {
			dp := dps.AppendEmpty()
			point(dp, wf)
			dp.SetIntValue(v)
		}
	}
	if len(a.tokens) > 0 {
		dps := sum(metricTokens, "{token}", "LLM tokens of finished node executions and runs, by model.", true)
		for k, v := range a.tokens {
			dp := dps.AppendEmpty()
			attrs := point(dp, k.wf)
			attrs.PutStr(attrModel, k.model)
			attrs.PutStr(attrTokenType, k.typ)
			dp.SetIntValue(v)
		}
	}
	if len(a.cost) > 0 {
		dps := sum(metricCost, "{cost}", "Estimated LLM cost of finished node executions, by model (the senders' currency).", true)
		for k, v := range a.cost {
			dp := dps.AppendEmpty()
			point(dp, k.wf).PutStr(attrModel, k.model)
			dp.SetDoubleValue(v)
		}
	}
	histo := func(name, desc string, n int) pmetric.HistogramDataPointSlice {
		m := ms.AppendEmpty()
		m.SetName(name)
		m.SetUnit("s")
		m.SetDescription(desc)
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		h.DataPoints().EnsureCapacity(n)
		return h.DataPoints()
	}
	fill := func(dp pmetric.HistogramDataPoint, bounds []float64, h *histogram) {
		dp.SetCount(h.count)
		dp.SetSum(h.sum)
		dp.ExplicitBounds().FromRaw(bounds)
		dp.BucketCounts().FromRaw(h.counts)
	}
	if len(a.duration.h) > 0 {
		dps := histo(metricDuration, "Duration of finished executions.", len(a.duration.h))
		for k, h := range a.duration.h {
			dp := dps.AppendEmpty()
			point(dp, k.wf).PutStr(attrStatus, string(k.status))
			fill(dp, a.duration.bounds, h)
		}
	}
	if len(a.nodeDuration.h) > 0 {
		dps := histo(metricNodeDuration, "Duration of finished node executions.", len(a.nodeDuration.h))
		for k, h := range a.nodeDuration.h {
			dp := dps.AppendEmpty()
			attrs := point(dp, k.wf)
			attrs.PutStr(attrNodeName, k.node)
			attrs.PutStr(attrNodeStatus, k.status)
			fill(dp, a.nodeDuration.bounds, h)
		}
	}
	return md
}
