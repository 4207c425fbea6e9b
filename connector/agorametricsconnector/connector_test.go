package agorametricsconnector

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// batch is one flush of the execution processor for one org: node records
// first, then the execution's, as the processor writes them.
type batch struct {
	org   string
	nodes []agora.NodeExecution
	execs []agora.Execution
	// repeat: versions after a settled one, which the processor marks.
	repeat bool
}

func logsOf(bs ...batch) plog.Logs {
	ld := plog.NewLogs()
	for _, b := range bs {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr(agora.AttrOrgID, b.org)
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for i := range b.nodes {
			b.nodes[i].AppendRecord(lrs, agora.RecordEncodingCompact)
		}
		for i := range b.execs {
			b.execs[i].AppendRecord(lrs, agora.RecordEncodingCompact)
		}
		if b.repeat {
			for _, lr := range lrs.All() {
				lr.Attributes().PutBool(agora.AttrRecordRepeat, true)
			}
		}
	}
	return ld
}

func scope(exec uuid.UUID, workflow string) agora.Scope {
	return agora.Scope{ExecutionID: exec, ProjectName: "proj", WorkflowName: workflow}
}

func ptr[T any](v T) *T { return &v }

func execution(exec uuid.UUID, workflow string, status agora.Status, ms float64) agora.Execution {
	e := agora.Execution{Scope: scope(exec, workflow), Status: status, StartedAt: t0}
	if status != agora.StatusRunning {
		done := t0.Add(time.Duration(ms * float64(time.Millisecond)))
		e.CompletedAt, e.DurationMs = &done, &ms
	}
	return e
}

func nodeRun(exec uuid.UUID, workflow, name string, status agora.Status, d time.Duration) agora.NodeExecution {
	done := t0.Add(d)
	return agora.NodeExecution{Scope: scope(exec, workflow), ID: agora.NodeExecutionID(exec, name, t0), NodeName: name,
		Status: status, StartedAt: t0, CompletedAt: &done}
}

func newTestConnector(t testing.TB, cfg *Config) (*metricsConnector, *consumertest.MetricsSink) {
	sink := &consumertest.MetricsSink{}
	c, err := NewFactory().CreateLogsToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	return c.(*metricsConnector), sink
}

func consume(t *testing.T, c *metricsConnector, bs ...batch) {
	require.NoError(t, c.ConsumeLogs(context.Background(), logsOf(bs...)))
}

// series are a metrics snapshot by metric name and attribute set.
type series map[string]map[string]pmetric.Metric

func snapshot(c *metricsConnector) pmetric.Metrics {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m.metrics(c.start, pcommon.NewTimestampFromTime(t0))
}

// point finds the data point of name whose attributes include want; it
// fails when there is not exactly one.
func point(t *testing.T, md pmetric.Metrics, name string, want map[string]string) any {
	t.Helper()
	var found []any
	match := func(attrs pcommon.Map) bool {
		for k, v := range want {
			if agora.Str(attrs, k) != v {
				return false
			}
		}
		return true
	}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != name {
					continue
				}
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for _, dp := range m.Sum().DataPoints().All() {
						if match(dp.Attributes()) {
							found = append(found, dp)
						}
					}
				case pmetric.MetricTypeHistogram:
					for _, dp := range m.Histogram().DataPoints().All() {
						if match(dp.Attributes()) {
							found = append(found, dp)
						}
					}
				}
			}
		}
	}
	require.Len(t, found, 1, "%s %v", name, want)
	return found[0]
}

func intValue(t *testing.T, md pmetric.Metrics, name string, want map[string]string) int64 {
	t.Helper()
	return point(t, md, name, want).(pmetric.NumberDataPoint).IntValue()
}

func absent(t *testing.T, md pmetric.Metrics, name string, want map[string]string) {
	t.Helper()
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != name || m.Type() != pmetric.MetricTypeSum {
					continue
				}
				for _, dp := range m.Sum().DataPoints().All() {
					all := true
					for k, v := range want {
						all = all && agora.Str(dp.Attributes(), k) == v
					}
					assert.False(t, all && dp.IntValue() != 0, "%s %v has %d", name, want, dp.IntValue())
				}
			}
		}
	}
}

func wf(org, workflow string) map[string]string {
	return map[string]string{agora.AttrOrgID: org, agora.AttrProjectName: "proj", agora.AttrWorkflowName: workflow}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestExecutionsCountedOncePerFinalStatus: running, then success re-sent
// in several versions, counts one execution; in flight while running.
func TestExecutionsCountedOncePerFinalStatus(t *testing.T) {
	c, _ := newTestConnector(t, createDefaultConfig().(*Config))
	a := uuid.New()
	think := nodeRun(a, "Flow", "Think", agora.StatusSuccess, 1500*time.Millisecond)
	think.PromptTokens, think.CompletionTokens, think.TotalTokens = ptr(int64(10)), ptr(int64(5)), ptr(int64(15))
	think.EstimatedCost, think.Model = ptr(0.25), "gpt-4o"
	think.RetryCount = 2

	consume(t, c, batch{org: "org-a", nodes: []agora.NodeExecution{think}, execs: []agora.Execution{execution(a, "Flow", agora.StatusRunning, 0)}})
	md := snapshot(c)
	assert.Equal(t, int64(1), intValue(t, md, metricInFlight, wf("org-a", "Flow")))

	done := execution(a, "Flow", agora.StatusSuccess, 2500)
	// The node's 10+5 and a call of the run's own: 3 in, 1 out.
	done.PromptTokens, done.CompletionTokens, done.TotalTokens, done.RetryCount = 13, 6, 19, 2
	done.Models = []string{"gpt-4o"}
	consume(t, c, batch{org: "org-a", execs: []agora.Execution{done}})
	consume(t, c, batch{org: "org-a", nodes: []agora.NodeExecution{think}, execs: []agora.Execution{done}, repeat: true}) // a later version

	md = snapshot(c)
	assert.Equal(t, int64(0), intValue(t, md, metricInFlight, wf("org-a", "Flow")))
	assert.Equal(t, int64(1), intValue(t, md, metricExecutions, with(wf("org-a", "Flow"), attrStatus, "success")))
	assert.Equal(t, int64(2), intValue(t, md, metricRetries, wf("org-a", "Flow")))
	assert.Equal(t, int64(13), intValue(t, md, metricTokens, with(wf("org-a", "Flow"), attrModel, "gpt-4o", attrTokenType, "input")))
	assert.Equal(t, int64(6), intValue(t, md, metricTokens, with(wf("org-a", "Flow"), attrModel, "gpt-4o", attrTokenType, "output")))
	assert.InDelta(t, 0.25, point(t, md, metricCost, with(wf("org-a", "Flow"), attrModel, "gpt-4o")).(pmetric.NumberDataPoint).DoubleValue(), 1e-9)

	h := point(t, md, metricDuration, with(wf("org-a", "Flow"), attrStatus, "success")).(pmetric.HistogramDataPoint)
	assert.Equal(t, uint64(1), h.Count())
	assert.InDelta(t, 2.5, h.Sum(), 1e-9)
	// 2.5 s falls in the bucket (1, 2.5].
	assert.Equal(t, uint64(1), h.BucketCounts().At(4))
	nh := point(t, md, metricNodeDuration, with(wf("org-a", "Flow"), attrNodeName, "Think", attrNodeStatus, "success")).(pmetric.HistogramDataPoint)
	assert.Equal(t, uint64(1), nh.Count())
	assert.InDelta(t, 1.5, nh.Sum(), 1e-9)
}

// TestShortRunInOneBatch: an execution first seen final, in the batch that
// carries its nodes, counts its node tokens once.
func TestShortRunInOneBatch(t *testing.T) {
	c, _ := newTestConnector(t, createDefaultConfig().(*Config))
	a := uuid.New()
	n := nodeRun(a, "Flow", "Call", agora.StatusSuccess, time.Second)
	n.PromptTokens, n.CompletionTokens, n.Model = ptr(int64(8)), ptr(int64(9)), "gpt-4o-mini"
	e := execution(a, "Flow", agora.StatusError, 1000)
	e.PromptTokens, e.CompletionTokens, e.Models = 8, 9, []string{"gpt-4o-mini"}
	consume(t, c, batch{org: "org-a", nodes: []agora.NodeExecution{n}, execs: []agora.Execution{e}})
	md := snapshot(c)
	assert.Equal(t, int64(8), intValue(t, md, metricTokens, with(wf("org-a", "Flow"), attrModel, "gpt-4o-mini", attrTokenType, "input")))
	assert.Equal(t, int64(9), intValue(t, md, metricTokens, with(wf("org-a", "Flow"), attrModel, "gpt-4o-mini", attrTokenType, "output")))
	assert.Equal(t, int64(1), intValue(t, md, metricExecutions, with(wf("org-a", "Flow"), attrStatus, "error")))
	assert.Empty(t, c.flights, "nothing kept for a finished execution")
}

// TestOrgsApart: the same workflow name in two orgs makes two series, and
// one org's cardinality cap does not touch the other's, in whatever order
// their records come.
func TestOrgsApart(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxWorkflowsPerOrg = 1
	c, _ := newTestConnector(t, cfg)
	consume(t, c,
		batch{org: "org-a", execs: []agora.Execution{execution(uuid.New(), "Flow", agora.StatusSuccess, 100), execution(uuid.New(), "Other", agora.StatusTimeout, 300000)}},
		batch{org: "org-b", execs: []agora.Execution{execution(uuid.New(), "Flow", agora.StatusSuccess, 100), execution(uuid.New(), "Flow", agora.StatusSuccess, 200)}},
		batch{org: "org-a", execs: []agora.Execution{execution(uuid.New(), "Flow", agora.StatusSuccess, 100), execution(uuid.New(), "Other", agora.StatusTimeout, 300000)}})
	md := snapshot(c)
	assert.Equal(t, int64(2), intValue(t, md, metricExecutions, with(wf("org-a", "Flow"), attrStatus, "success")))
	assert.Equal(t, int64(2), intValue(t, md, metricExecutions, with(wf("org-b", "Flow"), attrStatus, "success")))
	// org-a's second workflow is beyond its cap: counted under _other.
	over := map[string]string{agora.AttrOrgID: "org-a", agora.AttrProjectName: overflow, agora.AttrWorkflowName: overflow, attrStatus: "timeout"}
	assert.Equal(t, int64(2), intValue(t, md, metricExecutions, over))
	absent(t, md, metricExecutions, with(wf("org-a", "Other"), attrStatus, "timeout"))
}

// TestRetractedRunLeavesFlight: a running execution retracted (filed under
// another) is no longer in flight.
func TestRetractedRunLeavesFlight(t *testing.T) {
	c, _ := newTestConnector(t, createDefaultConfig().(*Config))
	a := uuid.New()
	consume(t, c, batch{org: "org-a", execs: []agora.Execution{execution(a, "Flow", agora.StatusRunning, 0)}})
	gone := execution(a, "Flow", agora.StatusRunning, 0)
	gone.Deleted = true
	consume(t, c, batch{org: "org-a", execs: []agora.Execution{gone}})
	assert.Equal(t, int64(0), intValue(t, snapshot(c), metricInFlight, wf("org-a", "Flow")))
	assert.Empty(t, c.flights)
}

// TestModelsCapped: models beyond the org's cap count under _other.
func TestModelsCapped(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxModelsPerOrg = 1
	c, _ := newTestConnector(t, cfg)
	a := uuid.New()
	one, two := nodeRun(a, "Flow", "A", agora.StatusSuccess, time.Second), nodeRun(a, "Flow", "B", agora.StatusSuccess, time.Second)
	one.PromptTokens, one.Model = ptr(int64(1)), "m1"
	two.PromptTokens, two.Model = ptr(int64(2)), "m2"
	e := execution(a, "Flow", agora.StatusSuccess, 10)
	e.PromptTokens = 3
	consume(t, c, batch{org: "org-a", nodes: []agora.NodeExecution{one, two}, execs: []agora.Execution{e}})
	md := snapshot(c)
	assert.Equal(t, int64(1), intValue(t, md, metricTokens, with(wf("org-a", "Flow"), attrModel, "m1", attrTokenType, "input")))
	assert.Equal(t, int64(2), intValue(t, md, metricTokens, with(wf("org-a", "Flow"), attrModel, overflow, attrTokenType, "input")))
}

// TestSentEveryInterval: through its factory, the connector sends the
// cumulative metrics on its interval and once more at shutdown.
func TestSentEveryInterval(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Interval = 20 * time.Millisecond
	c, sink := newTestConnector(t, cfg)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	consume(t, c, batch{org: "org-a", execs: []agora.Execution{execution(uuid.New(), "Flow", agora.StatusSuccess, 100)}})
	require.Eventually(t, func() bool { return len(sink.AllMetrics()) > 0 }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, c.Shutdown(context.Background()))
	all := sink.AllMetrics()
	assert.Equal(t, int64(1), intValue(t, all[len(all)-1], metricExecutions, with(wf("org-a", "Flow"), attrStatus, "success")))
}

// TestOtherRecordsIgnored: the connector reads only the processor's
// records; a sender's log record, or one without an org, is not counted.
func TestOtherRecordsIgnored(t *testing.T) {
	c, _ := newTestConnector(t, createDefaultConfig().(*Config))
	ld := logsOf(batch{org: "", execs: []agora.Execution{execution(uuid.New(), "Flow", agora.StatusSuccess, 100)}})
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(agora.AttrOrgID, "org-a")
	rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")
	require.NoError(t, c.ConsumeLogs(context.Background(), ld))
	assert.Equal(t, 0, snapshot(c).DataPointCount())
}
