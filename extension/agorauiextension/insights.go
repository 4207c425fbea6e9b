package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"net/http"
	"time"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/google/uuid"
)

type workflowRow struct {
	WorkflowID    uuid.UUID `ch:"workflow_id" json:"workflow_id"`
	ProjectName   string    `ch:"project_name" json:"project_name"`
	WorkflowName  string    `ch:"workflow_name" json:"workflow_name"`
	Executions    uint64    `ch:"executions" json:"executions"`
	Success       uint64    `ch:"success" json:"success"`
	Error         uint64    `ch:"error" json:"error"`
	Running       uint64    `ch:"running" json:"running"`
	Timeout       uint64    `ch:"timeout" json:"timeout"`
	LastStartedAt time.Time `ch:"last_started_at" json:"last_started_at"`
}

// workflows: GET /api/workflows?from&to: every workflow with counts by
// status, over the same default window as the listing.
func (u *ui) workflows(ctx context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		return nil, err
	}
	sql, err := u.sql("workflows", queries.Data{})
	if err != nil {
		return nil, err
	}
	rows := []workflowRow{}
	if err := u.db.Select(ctx, &rows, sql, k.OrgID, f.from, f.to); err != nil {
		return nil, err
	}
	return map[string]any{"workflows": rows}, nil
}

type metricsRow struct {
	Executions uint64  `ch:"executions" json:"executions"`
	Success    uint64  `ch:"success" json:"success"`
	Finished   uint64  `ch:"finished" json:"finished"`
	P50Ms      float64 `ch:"p50_ms" json:"p50_ms"`
	P95Ms      float64 `ch:"p95_ms" json:"p95_ms"`
	Retries    uint64  `ch:"retries" json:"retries"`
	Tokens     int64   `ch:"tokens" json:"tokens"`
	Cost       float64 `ch:"cost" json:"cost"`
}

type seriesRow struct {
	T          time.Time `ch:"t" json:"t"`
	Executions uint64    `ch:"executions" json:"executions"`
	Errors     uint64    `ch:"errors" json:"errors"`
	Timeouts   uint64    `ch:"timeouts" json:"timeouts"`
	P50Ms      float64   `ch:"p50_ms" json:"p50_ms"`
	P95Ms      float64   `ch:"p95_ms" json:"p95_ms"`
	Tokens     int64     `ch:"tokens" json:"tokens"`
	Cost       float64   `ch:"cost" json:"cost"`
}

// metrics: GET /api/metrics?workflow&from&to&bucket: success rate, p50/p95
// duration, retries, tokens, cost; and over time (following status and
// project too): executions, errors, timeouts, p50/p95, tokens, cost.
func (u *ui) metrics(ctx context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	q := r.URL.Query()
	f, err := parseFilters(q)
	if err != nil {
		return nil, err
	}
	bucket, err := intParam(q, "bucket", 3600, 60, 86_400*31)
	if err != nil {
		return nil, err
	}
	sql, err := u.sql("metrics", queries.Data{})
	if err != nil {
		return nil, err
	}
	var m []metricsRow
	if err := u.db.Select(ctx, &m, sql, k.OrgID, f.workflow, f.workflow, f.from, f.to); err != nil {
		return nil, err
	}
	series, err := u.sql("series", queries.Data{})
	if err != nil {
		return nil, err
	}
	points := []seriesRow{}
	if err := u.db.Select(ctx, &points, series, bucket, k.OrgID, f.status, f.status, f.project, f.project, f.workflow, f.workflow, f.from, f.to); err != nil {
		return nil, err
	}
	rate := 0.0
	if m[0].Finished > 0 {
		rate = float64(m[0].Success) / float64(m[0].Finished)
	}
	return map[string]any{"summary": m[0], "success_rate": rate, "series": points, "bucket_seconds": bucket}, nil
}
