package agorametricsconnector // import "github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector"

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// metricsConnector folds the execution processor's records into cumulative
// metrics and sends them on every interval. A record is emitted in many
// versions (running, then settled, then again when late telemetry changes
// it); an execution or node execution is counted once, at its first
// settled version: the processor marks the later ones
// (agora.AttrRecordRepeat).
type metricsConnector struct {
	cfg    *Config
	logger *zap.Logger
	next   consumer.Metrics
	start  pcommon.Timestamp

	mu      sync.Mutex
	flights map[uuid.UUID]*flight // executions not yet counted
	m       *aggregates

	stop chan struct{}
	done sync.WaitGroup
}

// flight is an execution not yet final: its series, whether it is counted
// in flight, and the tokens its node executions brought so far (the rest
// of its total is the run's own calls).
type flight struct {
	wf                 workflowKey
	running            bool
	prompt, completion int64
}

func newConnector(cfg *Config, set connector.Settings, next consumer.Metrics) *metricsConnector {
	return &metricsConnector{cfg: cfg, logger: set.Logger, next: next, start: pcommon.NewTimestampFromTime(time.Now()),
		flights: map[uuid.UUID]*flight{}, m: newAggregates(cfg)}
}

func (c *metricsConnector) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

// Start sends the metrics every interval.
func (c *metricsConnector) Start(context.Context, component.Host) error {
	c.stop = make(chan struct{})
	c.done.Go(func() {
		t := time.NewTicker(c.cfg.Interval)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				c.send(context.Background())
			}
		}
	})
	return nil
}

// Shutdown sends the last values.
func (c *metricsConnector) Shutdown(ctx context.Context) error {
	if c.stop == nil {
		return nil
	}
	close(c.stop)
	c.done.Wait()
	c.stop = nil
	c.send(ctx)
	return nil
}

func (c *metricsConnector) send(ctx context.Context) {
	c.mu.Lock()
	md := c.m.metrics(c.start, pcommon.NewTimestampFromTime(time.Now()))
	c.mu.Unlock()
	if md.DataPointCount() == 0 {
		return
	}
	if err := c.next.ConsumeMetrics(ctx, md); err != nil {
		// Cumulative: the next interval carries the same totals.
		c.logger.Debug("workflow metrics not sent", zap.Error(err))
	}
}

// ConsumeLogs reads the execution and node-execution records; every other
// log record is not this connector's.
func (c *metricsConnector) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rl := range ld.ResourceLogs().All() {
		org := agora.Str(rl.Resource().Attributes(), agora.AttrOrgID)
		if org == "" {
			continue
		}
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if _, repeat := lr.Attributes().Get(agora.AttrRecordRepeat); repeat {
					continue // counted at its first settled version
				}
				switch lr.EventName() {
				case agora.EventExecutionRecord:
					if e, err := agora.DecodeExecutionSummary(lr); err == nil {
						c.onExecution(org, &e)
					}
				case agora.EventNodeExecutionRecord:
					if n, err := agora.DecodeNodeSummary(lr); err == nil {
						c.onNode(org, &n)
					}
				}
			}
		}
	}
	// The processor writes an execution's node records before its own, in
	// one batch: a flight its execution record did not claim is done with.
	for id, f := range c.flights {
		if !f.running {
			delete(c.flights, id)
		}
	}
	return nil
}

func (c *metricsConnector) onExecution(org string, e *agora.Execution) {
	f := c.flights[e.ExecutionID]
	if e.Deleted {
		c.land(e.ExecutionID, f)
		return
	}
	if !e.Status.Settled() {
		if f == nil {
			f = &flight{wf: c.m.workflow(org, e.ProjectName, e.WorkflowName)}
			c.flights[e.ExecutionID] = f
		}
		if !f.running {
			f.running = true
			c.m.inFlight[f.wf]++
		}
		return
	}
	// A settled version with no flight (the usual case: its nodes brought no
	// tokens, or it was never seen running) needs none.
	fl := flight{}
	if f != nil {
		fl = *f
		c.land(e.ExecutionID, f)
	} else {
		fl.wf = c.m.workflow(org, e.ProjectName, e.WorkflowName)
	}
	c.m.inFlight[fl.wf] += 0 // a known workflow's gauge reads 0, not absent
	c.m.executions[statusKey{fl.wf, e.Status}]++
	c.m.retries[fl.wf] += e.RetryCount
	if e.DurationMs != nil {
		c.m.duration.observe(statusKey{fl.wf, e.Status}, *e.DurationMs/1000)
	}
	// Tokens of the run's own LLM calls (not under a node): the total less
	// what its node executions brought, under its one model if it has one.
	model := unknownModel
	if len(e.Models) == 1 {
		model = e.Models[0]
	}
	c.m.addTokens(fl.wf, model, e.PromptTokens-fl.prompt, e.CompletionTokens-fl.completion)
}

// land ends a flight.
func (c *metricsConnector) land(id uuid.UUID, f *flight) {
	if f == nil {
		return
	}
	if f.running {
		c.m.inFlight[f.wf]--
	}
	delete(c.flights, id)
}

func (c *metricsConnector) onNode(org string, n *agora.NodeExecution) {
	if n.Deleted || !n.Status.Settled() {
		return
	}
	wf := c.m.workflow(org, n.ProjectName, n.WorkflowName)
	if n.CompletedAt != nil {
		c.m.nodeDuration.observe(c.m.node(wf, n.NodeName, n.Status), n.CompletedAt.Sub(n.StartedAt).Seconds())
	}
	prompt, completion := deref(n.PromptTokens), deref(n.CompletionTokens)
	if prompt == 0 && completion == 0 {
		prompt = deref(n.TotalTokens) // only a total: counted as input
	}
	model := n.Model
	if model == "" {
		model = unknownModel
	}
	c.m.addTokens(wf, model, prompt, completion)
	if n.EstimatedCost != nil {
		c.m.cost[c.m.model(wf, model)] += *n.EstimatedCost
	}
	// For the execution's own share, when it settles (in this batch, or a
	// later one while it runs); a flight of one counted before is dropped
	// with the batch.
	f := c.flights[n.ExecutionID]
	if f == nil {
		f = &flight{wf: wf}
		c.flights[n.ExecutionID] = f
	}
	f.prompt += prompt
	f.completion += completion
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
