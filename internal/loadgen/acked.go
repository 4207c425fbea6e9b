package loadgen

import (
	"sync"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Acked is what the collector acknowledged: the executions and node
// executions a test may expect to find stored.
type Acked struct {
	mu   sync.Mutex
	API  map[uuid.UUID]*APIRun  // by execution id
	OTLP map[uuid.UUID]*OTLPRun // by execution id (the trace id)
}

// APIRun is an Agora API execution whose node batch was acknowledged.
type APIRun struct {
	Key      string
	Nodes    []uuid.UUID // node execution ids, as the collector derives them
	Retries  int64       // retry_count summed over the nodes
	Complete bool        // the completion was acknowledged too
}

// OTLPRun is an acknowledged agora_tracer execution.
type OTLPRun struct {
	Key   string
	Nodes int
	Spans int
}

func newAcked() *Acked {
	return &Acked{API: map[uuid.UUID]*APIRun{}, OTLP: map[uuid.UUID]*OTLPRun{}}
}

func (a *Acked) apiNodes(key string, exec uuid.UUID, nodes []node) {
	run := &APIRun{Key: key, Nodes: make([]uuid.UUID, len(nodes))}
	for i, n := range nodes {
		at, err := time.Parse(naive, n.StartedAt)
		if err != nil {
			panic(err)
		}
		run.Nodes[i] = agora.NodeExecutionID(exec, n.Name, at)
		run.Retries += int64(n.Retries)
	}
	a.mu.Lock()
	a.API[exec] = run
	a.mu.Unlock()
}

func (a *Acked) apiComplete(_ string, exec uuid.UUID) {
	a.mu.Lock()
	a.API[exec].Complete = true
	a.mu.Unlock()
}

func (a *Acked) otlp(key string, traces []pcommon.TraceID, nodes int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range traces {
		a.OTLP[uuid.UUID(t)] = &OTLPRun{Key: key, Nodes: nodes, Spans: SpansPerRun(nodes)}
	}
}

// Counts is how many executions, node items and spans were acknowledged.
func (a *Acked) Counts() (apiExecs, apiNodes, otlpExecs, otlpSpans int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.API {
		apiExecs++
		apiNodes += len(r.Nodes)
	}
	for _, r := range a.OTLP {
		otlpExecs++
		otlpSpans += r.Spans
	}
	return
}
