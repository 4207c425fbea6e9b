package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/client"
	"golang.org/x/sync/errgroup"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/httpjson"
)

// caller is the signed-in key's org: every query is scoped to it.
type caller struct{ orgID, orgName, keyID, keyName string }

func callerOf(ctx context.Context) (caller, bool) {
	auth := client.FromContext(ctx).Auth
	if auth == nil {
		return caller{}, false
	}
	get := func(k string) string { s, _ := auth.GetAttribute(k).(string); return s }
	c := caller{orgID: get(agora.AuthOrgID), orgName: get(agora.AuthOrgName), keyID: get(agora.AuthKeyID), keyName: get(agora.AuthKeyName)}
	return c, c.orgID != ""
}

// apiError is an answer: status and detail.
type apiError struct {
	status int
	detail string
}

func (e apiError) Error() string { return e.detail }

func badParam(name, msg string) error { return apiError{http.StatusBadRequest, name + ": " + msg} }

var errNotFound = apiError{http.StatusNotFound, "execution not found"}

func (u *ui) api(w http.ResponseWriter, r *http.Request) {
	c, ok := callerOf(r.Context())
	if !ok {
		httpjson.Detail(w, http.StatusUnauthorized, "sign in with an API key (X-API-Key)")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), u.cfg.QueryTimeout)
	defer cancel()
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/"), "/"), "/")
	var resp any
	var err error
	switch {
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "me":
		resp = map[string]string{"org_id": c.orgID, "org_name": c.orgName, "key_id": c.keyID, "key_name": c.keyName}
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "executions":
		resp, err = u.listExecutions(ctx, c, r.URL.Query())
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "executions":
		resp, err = u.executionDetail(ctx, c, parts[1])
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "executions" && (parts[2] == "spans" || parts[2] == "snapshots"):
		resp, err = u.executionPart(ctx, c, parts[1], parts[2])
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "workflows":
		resp, err = u.workflows(ctx, c, r.URL.Query())
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "metrics":
		resp, err = u.metrics(ctx, c, r.URL.Query())
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "keys":
		resp, err = u.listKeys(c)
	case r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "keys":
		resp, err = u.createKey(c, r)
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "keys" && parts[2] == "revoke":
		resp, err = u.revokeKey(c, parts[1])
	default:
		err = apiError{http.StatusNotFound, "not found: " + r.Method + " " + r.URL.Path}
	}
	if err != nil {
		var ae apiError
		if errors.As(err, &ae) {
			httpjson.Detail(w, ae.status, ae.detail)
			return
		}
		httpjson.Detail(w, http.StatusServiceUnavailable, "query failed: "+err.Error())
		return
	}
	httpjson.Write(w, http.StatusOK, resp)
}

func (u *ui) sql(name string, d queries.Data) (string, error) {
	d.Database = u.cfg.ClickHouse.Database
	return queries.Render(name+".sql", d)
}

// Filters shared by the list, counts and metrics.
type filters struct {
	status, project, workflow string
	from, to                  time.Time
}

var statuses = []string{"running", "success", "error", "timeout"}

// defaultWindow is the time range of a query that names none: recent
// executions, which daily partitions let ClickHouse read without the rest.
const defaultWindow = 24 * time.Hour

func parseFilters(q url.Values) (filters, error) {
	f := filters{status: q.Get("status"), project: q.Get("project"), workflow: q.Get("workflow"),
		from: time.Now().Add(-defaultWindow).UTC(), to: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)}
	if f.status != "" && !slices.Contains(statuses, f.status) {
		return f, badParam("status", "must be one of "+strings.Join(statuses, ", "))
	}
	for name, dst := range map[string]*time.Time{"from": &f.from, "to": &f.to} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return f, badParam(name, "not an RFC 3339 timestamp")
			}
			*dst = t
		}
	}
	return f, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badParam(name, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
	return n, nil
}

type executionRow struct {
	ExecutionID   string     `ch:"execution_id" json:"execution_id"`
	ProjectName   string     `ch:"project_name" json:"project_name"`
	WorkflowName  string     `ch:"workflow_name" json:"workflow_name"`
	Status        string     `ch:"status" json:"status"`
	StartedAt     time.Time  `ch:"started_at" json:"started_at"`
	CompletedAt   *time.Time `ch:"completed_at" json:"completed_at"`
	DurationMs    *float64   `ch:"duration_ms" json:"duration_ms"`
	NodeCount     uint32     `ch:"node_count" json:"node_count"`
	ErrorCount    uint32     `ch:"error_count" json:"error_count"`
	RetryCount    uint32     `ch:"retry_count" json:"retry_count"`
	TotalTokens   int64      `ch:"total_tokens" json:"total_tokens"`
	EstimatedCost float64    `ch:"estimated_cost" json:"estimated_cost"`
	ErrorMessage  string     `ch:"error_message" json:"error_message"`
}

type statusCount struct {
	Status string `ch:"status"`
	N      uint64 `ch:"n"`
}

// listExecutions: GET /api/executions?status&project&workflow&from&to&sort&order&limit&offset
func (u *ui) listExecutions(ctx context.Context, c caller, q url.Values) (any, error) {
	f, err := parseFilters(q)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(q, "limit", 50, 1, 200)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(q, "offset", 0, 0, 10_000)
	if err != nil {
		return nil, err
	}
	sortName := q.Get("sort")
	if sortName == "" {
		sortName = "started_at"
	}
	sortCol, ok := queries.Sorts[sortName]
	if !ok {
		return nil, badParam("sort", "must be started_at, duration, status or workflow")
	}
	order := strings.ToUpper(q.Get("order"))
	if order == "" {
		order = "DESC"
	}
	if order != "ASC" && order != "DESC" {
		return nil, badParam("order", "must be asc or desc")
	}
	list, err := u.sql("list", queries.Data{Sort: sortCol, Order: order})
	if err != nil {
		return nil, err
	}
	counts, err := u.sql("counts", queries.Data{})
	if err != nil {
		return nil, err
	}
	rows := []executionRow{}
	var cs []statusCount
	g, _ := errgroup.WithContext(ctx)
	g.Go(func() error {
		return u.db.Select(ctx, &rows, list, c.orgID, f.status, f.status, f.project, f.project, f.workflow, f.workflow, f.from, f.to, limit, offset)
	})
	g.Go(func() error {
		return u.db.Select(ctx, &cs, counts, c.orgID, f.project, f.project, f.workflow, f.workflow, f.from, f.to)
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	byStatus := map[string]uint64{"running": 0, "success": 0, "error": 0, "timeout": 0}
	var total uint64
	for _, s := range cs {
		byStatus[s.Status] = s.N
		if f.status == "" || f.status == s.Status {
			total += s.N
		}
	}
	return map[string]any{"executions": rows, "total": total, "counts": byStatus, "limit": limit, "offset": offset}, nil
}

type detailRow struct {
	executionRow
	PromptTokens     int64     `ch:"prompt_tokens" json:"prompt_tokens"`
	CompletionTokens int64     `ch:"completion_tokens" json:"completion_tokens"`
	Input            string    `ch:"input" json:"input"`
	Output           string    `ch:"output" json:"output"`
	LastSeen         time.Time `ch:"last_seen" json:"last_seen"`
	Source           string    `ch:"source" json:"source"`
}

type nodeRow struct {
	NodeExecutionID string     `ch:"node_execution_id" json:"node_execution_id"`
	NodeName        string     `ch:"node_name" json:"node_name"`
	NodeType        string     `ch:"node_type" json:"node_type"`
	Status          string     `ch:"status" json:"status"`
	StartedAt       time.Time  `ch:"started_at" json:"started_at"`
	CompletedAt     *time.Time `ch:"completed_at" json:"completed_at"`
	PrepDurationMs  *float64   `ch:"prep_duration_ms" json:"prep_duration_ms"`
	ExecDurationMs  *float64   `ch:"exec_duration_ms" json:"exec_duration_ms"`
	PostDurationMs  *float64   `ch:"post_duration_ms" json:"post_duration_ms"`
	RetryCount      uint32     `ch:"retry_count" json:"retry_count"`
	ErrorMessage    string     `ch:"error_message" json:"error_message"`
	NextAction      string     `ch:"next_action" json:"next_action"`
	Input           string     `ch:"input" json:"input"`
	Output          string     `ch:"output" json:"output"`
	TotalTokens     *int64     `ch:"total_tokens" json:"total_tokens"`
	EstimatedCost   *float64   `ch:"estimated_cost" json:"estimated_cost"`
}

type spanRow struct {
	TraceID       string            `ch:"trace_id" json:"trace_id"`
	SpanID        string            `ch:"span_id" json:"span_id"`
	ParentSpanID  string            `ch:"parent_span_id" json:"parent_span_id"`
	Name          string            `ch:"name" json:"name"`
	Kind          string            `ch:"kind" json:"kind"`
	Status        string            `ch:"status" json:"status"`
	StatusMessage string            `ch:"status_message" json:"status_message"`
	StartTime     time.Time         `ch:"start_time" json:"start_time"`
	DurationNs    uint64            `ch:"duration_ns" json:"duration_ns"`
	Attributes    map[string]string `ch:"attributes" json:"attributes"`
}

type eventRow struct {
	EventID   string    `ch:"event_id" json:"event_id"`
	EventType string    `ch:"event_type" json:"event_type"`
	Timestamp time.Time `ch:"timestamp" json:"timestamp"`
	Data      string    `ch:"data" json:"data"`
}

type snapshotRow struct {
	Timestamp time.Time `ch:"timestamp" json:"timestamp"`
	Body      string    `ch:"body" json:"body"`
}

// readExecution runs the named per-execution queries at once, each a point
// read by key on one thread (several at once on few cores would otherwise
// fight over them).
func (u *ui) readExecution(ctx context.Context, c caller, exec uuid.UUID, reads map[string]any) error {
	qctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_threads": 1}))
	g, _ := errgroup.WithContext(ctx)
	for name, dst := range reads {
		g.Go(func() error {
			sql, err := u.sql(name, queries.Data{})
			if err != nil {
				return err
			}
			return u.db.Select(qctx, dst, sql, c.orgID, exec)
		})
	}
	return g.Wait()
}

// executionDetail: GET /api/executions/{id}: the record, its node executions
// and events. Spans and snapshots, which can be many, have their own calls.
func (u *ui) executionDetail(ctx context.Context, c caller, id string) (any, error) {
	exec, err := uuid.Parse(id)
	if err != nil {
		return nil, errNotFound
	}
	var execs []detailRow
	nodes, events := []nodeRow{}, []eventRow{}
	if err := u.readExecution(ctx, c, exec, map[string]any{"execution": &execs, "nodes": &nodes, "events": &events}); err != nil {
		return nil, err
	}
	if len(execs) == 0 {
		return nil, errNotFound
	}
	return map[string]any{"execution": execs[0], "nodes": nodes, "events": events}, nil
}

// executionPart: GET /api/executions/{id}/spans or /snapshots. An execution
// of another org has none: the answer is the same as for an unknown one.
func (u *ui) executionPart(ctx context.Context, c caller, id, part string) (any, error) {
	exec, err := uuid.Parse(id)
	if err != nil {
		return nil, errNotFound
	}
	var rows any = &[]spanRow{}
	if part == "snapshots" {
		rows = &[]snapshotRow{}
	}
	if err := u.readExecution(ctx, c, exec, map[string]any{part: rows}); err != nil {
		return nil, err
	}
	return map[string]any{part: rows}, nil
}

type workflowRow struct {
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
func (u *ui) workflows(ctx context.Context, c caller, q url.Values) (any, error) {
	f, err := parseFilters(q)
	if err != nil {
		return nil, err
	}
	sql, err := u.sql("workflows", queries.Data{})
	if err != nil {
		return nil, err
	}
	rows := []workflowRow{}
	if err := u.db.Select(ctx, &rows, sql, c.orgID, f.from, f.to); err != nil {
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
	P95Ms      float64   `ch:"p95_ms" json:"p95_ms"`
	Tokens     int64     `ch:"tokens" json:"tokens"`
	Cost       float64   `ch:"cost" json:"cost"`
}

// metrics: GET /api/metrics?workflow&from&to&bucket: success rate, p50/p95
// duration, retries, tokens, cost, and the same over time.
func (u *ui) metrics(ctx context.Context, c caller, q url.Values) (any, error) {
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
	if err := u.db.Select(ctx, &m, sql, c.orgID, f.workflow, f.workflow, f.from, f.to); err != nil {
		return nil, err
	}
	series, err := u.sql("series", queries.Data{})
	if err != nil {
		return nil, err
	}
	points := []seriesRow{}
	if err := u.db.Select(ctx, &points, series, bucket, c.orgID, f.workflow, f.workflow, f.from, f.to); err != nil {
		return nil, err
	}
	rate := 0.0
	if m[0].Finished > 0 {
		rate = float64(m[0].Success) / float64(m[0].Finished)
	}
	return map[string]any{"summary": m[0], "success_rate": rate, "series": points, "bucket_seconds": bucket}, nil
}

type keyView struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	LastUsed  *time.Time `json:"last_used"`
}

// listKeys: GET /api/keys: the org's keys, never a secret.
func (u *ui) listKeys(c caller) (any, error) {
	f, err := apikey.Load(u.cfg.KeysFile)
	if err != nil {
		return nil, err
	}
	keys := []keyView{}
	for _, k := range f.Keys {
		if k.OrgID != c.orgID {
			continue
		}
		v := keyView{ID: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt}
		if u.usage != nil {
			if t, ok := u.usage.LastUsed(k.ID); ok {
				v.LastUsed = &t
			}
		}
		keys = append(keys, v)
	}
	return map[string]any{"keys": keys}, nil
}

// createKey: POST /api/keys {"name", "expires_in_days"}: the key is in the
// answer once and nowhere else.
func (u *ui) createKey(c caller, r *http.Request) (any, error) {
	var req struct {
		Name          string `json:"name"`
		ExpiresInDays int    `json:"expires_in_days"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 4096)).Decode(&req); err != nil {
		return nil, badParam("body", "must be a JSON object")
	}
	if strings.TrimSpace(req.Name) == "" {
		return nil, badParam("name", "required")
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > 3650 {
		return nil, badParam("expires_in_days", "must be from 0 (never) to 3650")
	}
	var secret string
	var key apikey.Key
	err := apikey.Update(u.cfg.KeysFile, func(f *apikey.File) (err error) {
		secret, key, err = f.CreateKeyInOrg(c.orgID, strings.TrimSpace(req.Name), time.Duration(req.ExpiresInDays)*24*time.Hour, time.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"key": secret, "id": key.ID, "name": key.Name, "prefix": key.Prefix, "expires_at": key.ExpiresAt}, nil
}

// revokeKey: POST /api/keys/{id}/revoke, for the org's own keys only.
func (u *ui) revokeKey(c caller, id string) (any, error) {
	err := apikey.Update(u.cfg.KeysFile, func(f *apikey.File) error {
		for _, k := range f.Keys {
			if k.ID == id && k.OrgID == c.orgID {
				return f.Revoke(id, time.Now())
			}
		}
		return apiError{http.StatusNotFound, "key not found"}
	})
	if err != nil {
		return nil, err
	}
	return map[string]bool{"revoked": true}, nil
}
