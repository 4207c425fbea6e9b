//go:build integration

package e2e

import (
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// otlpSink is an OTLP/HTTP backend: it keeps what it is sent.
type otlpSink struct {
	mu    sync.Mutex
	logs  []plog.Logs
	spans int
}

func (s *otlpSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" { // the OTLP exporter's default
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		in = zr
	}
	body, _ := io.ReadAll(in)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/v1/logs":
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.logs = append(s.logs, req.Logs())
	case "/v1/traces":
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.spans += req.Traces().SpanCount()
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(nil)
}

func (s *otlpSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, ld := range s.logs {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					names = append(names, lr.EventName()+":"+lr.Body().AsString())
				}
			}
		}
	}
	return fmt.Sprintf("%d spans, log records %v", s.spans, names)
}

// records returns the decoded execution records the sink got, newest last.
func (s *otlpSink) records(t *testing.T) (map[uuid.UUID]agora.Execution, map[uuid.UUID]agora.NodeExecution, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	execs, nodes, org := map[uuid.UUID]agora.Execution{}, map[uuid.UUID]agora.NodeExecution{}, ""
	for _, ld := range s.logs {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if lr.EventName() == agora.EventExecutionRecord || lr.EventName() == agora.EventNodeExecutionRecord {
						require.Equal(t, pcommon.ValueTypeMap, lr.Body().Type(), "record_encoding: map, readable by any OTLP backend")
					}
					switch lr.EventName() {
					case agora.EventExecutionRecord:
						e, err := agora.DecodeExecution(lr)
						require.NoError(t, err)
						execs[e.ExecutionID] = e
						org = agora.Str(rl.Resource().Attributes(), agora.AttrOrgID)
					case agora.EventNodeExecutionRecord:
						n, err := agora.DecodeNodeExecution(lr)
						require.NoError(t, err)
						nodes[n.ID] = n
					}
				}
			}
		}
	}
	return execs, nodes, org
}

// TestForwardOverOTLP: config/forward.yaml — the agora receiver and the
// execution processor in a pipeline with core's OTLP/HTTP exporter and no
// ClickHouse — delivers the SDK's run, folded into execution and node
// records, to another OTLP backend, with the org the key decided.
func TestForwardOverOTLP(t *testing.T) {
	sink := &otlpSink{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: sink, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	c := startCollectorWith(t, options{config: "forward.yaml", env: []string{"AGORA_FORWARD_ENDPOINT=http://" + ln.Addr().String()}})
	key, k := c.newKeyNoWait(t, "forwarded", 0)
	require.Eventually(t, func() bool {
		code, _ := postHTTP(t, c, map[string]string{"X-API-Key": key}, oneSpan("probe", "", 1))
		return code == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)
	exec := uuid.MustParse(sendAPIRun(t, c, key))

	require.Eventually(t, func() bool {
		execs, nodes, _ := sink.records(t)
		e, ok := execs[exec]
		return ok && e.Status == agora.StatusError && len(nodes) == len(runNodes)
	}, 15*time.Second, 100*time.Millisecond, "the folded records reach the OTLP backend: %s", sink)
	execs, nodes, org := sink.records(t)
	e := execs[exec]
	assert.Equal(t, k.OrgID, org, "the org the key decided")
	assert.Equal(t, int64(len(runNodes)), e.NodeCount)
	assert.Equal(t, "EqFlow", e.WorkflowName)
	assert.Equal(t, int64(17), e.TotalTokens)
	for _, n := range nodes {
		assert.Equal(t, exec, n.ExecutionID)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	assert.Positive(t, sink.spans, "spans go on too")
}
