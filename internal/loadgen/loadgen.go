// Package loadgen sends Agora workloads to a collector the way real senders
// do, and remembers exactly what the collector acknowledged, so tests and
// benchmarks can check that every acknowledged item was stored.
//
// Two shapes: "api" is the Agora SDK's uploader (start, one batch of node
// executions, complete); "otlp" is agora_tracer's spans over OTLP/HTTP
// protobuf (a .flow root, .node spans with .prep/.exec/.post children, one
// LLM call), several executions per request. A request that fails (refused,
// collector down) is sent again, unchanged, until it is acknowledged or the
// run ends, as SDK exporters do.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Target is a collector.
type Target struct {
	// API is the Agora API's base URL (http://host:port), OTLP the OTLP/HTTP one.
	API, OTLP string
	// Keys are API keys; each client uses one, round robin (several orgs).
	Keys []string
}

// Config says what to send.
type Config struct {
	// Shape is "api", "otlp" or "both" (clients alternate).
	Shape string
	// Clients send concurrently. Default 4.
	Clients int
	// Runs bounds the executions sent (0: until the context ends).
	Runs int
	// Nodes per execution. Default 50 (api), 3 (otlp).
	Nodes int
	// PerRequest is how many executions one OTLP request carries. Default 50.
	PerRequest int
	// Pause is how long a client waits between runs (0: none).
	Pause time.Duration
}

// Stats count what was sent and acknowledged.
type Stats struct {
	Executions, NodeItems, Spans, Requests, Retries atomic.Int64
	// Refused counts answers that said "retry later" (503, 429), by
	// Retry-After present or not.
	Refused, RefusedWithRetryAfter atomic.Int64
}

// Client is one load run.
type Client struct {
	target Target
	cfg    Config
	http   *http.Client
	Acked  *Acked
	Stats  Stats
	runs   atomic.Int64
}

// New prepares a run.
func New(t Target, cfg Config) *Client {
	if cfg.Clients <= 0 {
		cfg.Clients = 4
	}
	if cfg.PerRequest <= 0 {
		cfg.PerRequest = 50
	}
	return &Client{target: t, cfg: cfg, http: &http.Client{Timeout: 30 * time.Second}, Acked: newAcked()}
}

// Run sends until ctx ends or cfg.Runs executions were acknowledged.
func (c *Client) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range c.cfg.Clients {
		key := c.target.Keys[i%len(c.target.Keys)]
		shape := c.cfg.Shape
		if shape == "both" {
			shape = []string{"api", "otlp"}[i%2]
		}
		wg.Go(func() {
			for ctx.Err() == nil && c.take(shape) {
				if shape == "api" {
					c.apiRun(ctx, key)
				} else {
					c.otlpRequest(ctx, key)
				}
				if c.cfg.Pause > 0 {
					select {
					case <-ctx.Done():
					case <-time.After(c.cfg.Pause):
					}
				}
			}
		})
	}
	wg.Wait()
}

// take reserves the next execution(s) of the budget.
func (c *Client) take(shape string) bool {
	n := int64(1)
	if shape == "otlp" {
		n = int64(c.cfg.PerRequest)
	}
	return c.cfg.Runs == 0 || c.runs.Add(n)-n < int64(c.cfg.Runs)
}

// post sends body until the collector answers 2xx (returning the body), or
// ctx ends (ok false). 4xx other than 408/429 is a bug in this tool: fatal.
func (c *Client) post(ctx context.Context, url, key, contentType string, body []byte) ([]byte, bool) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			c.Stats.Retries.Add(1)
			select {
			case <-ctx.Done():
				return nil, false
			case <-time.After(time.Duration(50+rand.IntN(200)) * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			panic(err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-API-Key", key)
		c.Stats.Requests.Add(1)
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, false
			}
			continue
		}
		out, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode/100 == 2 && rerr == nil:
			return out, true
		case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests:
			c.Stats.Refused.Add(1)
			if resp.Header.Get("Retry-After") != "" {
				c.Stats.RefusedWithRetryAfter.Add(1)
			}
		case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound:
			panic(fmt.Sprintf("loadgen: %s answered %d: %s", url, resp.StatusCode, out))
		}
	}
}

func (c *Client) postJSON(ctx context.Context, path, key string, body any) (map[string]any, bool) {
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	out, ok := c.post(ctx, c.target.API+path, key, "application/json", b)
	if !ok {
		return nil, false
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		panic(fmt.Sprintf("loadgen: %s: %v: %s", path, err, out))
	}
	return m, true
}

// node is one node execution as the SDK reports it.
type node struct {
	Name      string  `json:"node_name"`
	Type      string  `json:"node_type"`
	Status    string  `json:"status"`
	StartedAt string  `json:"started_at"`
	Completed string  `json:"completed_at"`
	Prep      float64 `json:"prep_duration_ms"`
	Exec      float64 `json:"exec_duration_ms"`
	Post      float64 `json:"post_duration_ms"`
	Retries   int     `json:"retry_count"`
}

const naive = "2006-01-02T15:04:05.000000"

// apiRun is one execution as the Agora SDK uploads it.
func (c *Client) apiRun(ctx context.Context, key string) {
	nodes := c.cfg.Nodes
	if nodes <= 0 {
		nodes = 50
	}
	start, ok := c.postJSON(ctx, "/telemetry/executions/start", key, map[string]any{"workflow_name": "load-api", "project_name": "load"})
	if !ok {
		return
	}
	exec := uuid.MustParse(start["execution_id"].(string))
	t0 := time.Now().UTC()
	items := make([]node, nodes)
	for i := range items {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		items[i] = node{Name: fmt.Sprintf("N%03d", i), Type: "TracedAsyncNode", Status: "success", StartedAt: at.Format(naive),
			Completed: at.Add(900 * time.Microsecond).Format(naive), Prep: 0.1, Exec: 0.7, Post: 0.1, Retries: i % 2}
	}
	batch := map[string]any{"execution_id": exec.String(), "workflow_name": "load-api", "project_name": "load", "events": []any{}, "node_executions": items}
	if _, ok := c.postJSON(ctx, "/telemetry/batch", key, batch); !ok {
		return
	}
	c.Acked.apiNodes(key, exec, items)
	c.Stats.NodeItems.Add(int64(nodes))
	if _, ok := c.postJSON(ctx, "/telemetry/executions/"+exec.String()+"/complete", key, map[string]any{"status": "success"}); !ok {
		return
	}
	c.Acked.apiComplete(key, exec)
	c.Stats.Executions.Add(1)
}
