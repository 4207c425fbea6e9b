package agorareceiver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver/internal/metadata"
)

// benchBatch is a flush of n node executions, as the SDK's uploader sends it.
func benchBatch(exec string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"execution_id": %q, "workflow_name": "wf", "project_name": "proj", "events": [], "node_executions": [`, exec)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"node_name": "Node-%d", "node_type": "TracedAsyncNode", "status": "success", "started_at": "2026-11-25T17:19:05.%06d", "completed_at": "2026-11-25T17:19:06.%06d", "prep_duration_ms": 5, "exec_duration_ms": 70.5, "post_duration_ms": 5, "error_message": null, "retry_count": 1}`, i, i, i)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// BenchmarkBatchDecodeTranslate: one 50-item batch, from body bytes to pdata
// log records. "baseline" only unmarshals the same body into plain Go
// structs with encoding/json: the least any JSON API pays.
func BenchmarkBatchDecodeTranslate(b *testing.B) {
	cfg := createDefaultConfig().(*Config)
	cfg.ExecutionIDSecret = testSecret
	r, err := newReceiver(cfg, receivertest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	o := agora.Caller{OrgID: "org-bench", OrgName: "bench"}
	body := benchBatch(r.ids.New(o.OrgID, time.Now(), nil).String(), 50)
	ctx := client.NewContext(context.Background(), client.Info{Auth: fuzzAuth{}})

	b.Run("receiver", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			p := parsers.Get()
			rq := &request{ctx: ctx, org: o, body: body, parser: p, out: newOutput(o)}
			resp, err := r.batch(rq)
			parsers.Put(p)
			if err != nil || resp.(*batchResponse).NodeExecutionsIngested != 50 {
				b.Fatal(err, resp)
			}
		}
		b.ReportMetric(float64(b.N*50)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("baseline", func(b *testing.B) {
		type node struct {
			NodeName       string   `json:"node_name"`
			NodeType       string   `json:"node_type"`
			Status         string   `json:"status"`
			StartedAt      string   `json:"started_at"`
			CompletedAt    string   `json:"completed_at"`
			PrepDurationMs *float64 `json:"prep_duration_ms"`
			ExecDurationMs *float64 `json:"exec_duration_ms"`
			PostDurationMs *float64 `json:"post_duration_ms"`
			ErrorMessage   *string  `json:"error_message"`
			RetryCount     int      `json:"retry_count"`
		}
		var batch struct {
			ExecutionID  string `json:"execution_id"`
			Nodes        []node `json:"node_executions"`
			Events       []any  `json:"events"`
			WorkflowName string `json:"workflow_name"`
			ProjectName  string `json:"project_name"`
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if err := json.Unmarshal(body, &batch); err != nil || len(batch.Nodes) != 50 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*50)/b.Elapsed().Seconds(), "items/s")
	})
}
