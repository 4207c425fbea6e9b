package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

// Search, export and sessions: finding runs and following them.

const (
	maxSearchLen   = 200
	maxSearchWords = 10
	// maxExportRows bounds one export of the list.
	maxExportRows = 10_000
)

// searchWords splits a search into the words the search_text index holds:
// runs of ASCII letters and digits (and any non-ASCII bytes), lower-cased,
// as its splitByNonAlpha tokenizer and lower() preprocessor make them.
func searchWords(q string) ([]string, error) {
	if len(q) > maxSearchLen {
		return nil, badParam("q", "at most "+strconv.Itoa(maxSearchLen)+" characters")
	}
	var words []string
	for _, w := range strings.FieldsFunc(q, func(r rune) bool {
		return r < 0x80 && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) {
		w = strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, w)
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	switch {
	case len(words) == 0:
		return nil, badParam("q", "needs a word (letters or digits)")
	case len(words) > maxSearchWords:
		return nil, badParam("q", "at most "+strconv.Itoa(maxSearchWords)+" words")
	}
	return words, nil
}

// download is an answer saved as a file rather than shown.
type download struct {
	name, contentType string
	body              []byte
}

// exportExecutions: GET /api/executions/export?format=csv|json and the
// list's filters (search included): up to limit (≤ 10,000) rows in the
// list's order.
func (u *ui) exportExecutions(ctx context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	q := r.URL.Query()
	f, err := parseFilters(q)
	if err != nil {
		return nil, err
	}
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "json" {
		return nil, badParam("format", "must be csv or json")
	}
	limit, err := intParam(q, "limit", maxExportRows, 1, maxExportRows)
	if err != nil {
		return nil, err
	}
	if err := u.resolveSearch(ctx, k, &f); err != nil {
		return nil, err
	}
	rows, err := u.selectExecutions(ctx, k, q, &f, limit, 0)
	if err != nil {
		return nil, err
	}
	name := "executions-" + time.Now().UTC().Format("20060102-150405")
	if format == "json" {
		body, err := json.Marshal(map[string]any{"executions": rows})
		return download{name + ".json", "application/json", body}, err
	}
	body, err := executionsCSV(rows)
	return download{name + ".csv", "text/csv; charset=utf-8", body}, err
}

// csvHeader are the CSV export's columns, named as in the JSON.
var csvHeader = []string{"execution_id", "project_name", "workflow_name", "status", "started_at", "completed_at", "duration_ms",
	"node_count", "error_count", "retry_count", "prompt_tokens", "completion_tokens", "total_tokens", "estimated_cost",
	"error_message", "session_id", "user_id"}

func executionsCSV(rows []agora.ExecutionRow) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader)
	opt := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	for _, e := range rows {
		dur := ""
		if e.DurationMs != nil {
			dur = strconv.FormatFloat(*e.DurationMs, 'f', -1, 64)
		}
		_ = w.Write([]string{e.ExecutionID.String(), cell(e.ProjectName), cell(e.WorkflowName), e.Status, e.StartedAt.UTC().Format(time.RFC3339Nano),
			opt(e.CompletedAt), dur, strconv.FormatUint(uint64(e.NodeCount), 10), strconv.FormatUint(uint64(e.ErrorCount), 10),
			strconv.FormatUint(uint64(e.RetryCount), 10), strconv.FormatInt(e.PromptTokens, 10), strconv.FormatInt(e.CompletionTokens, 10),
			strconv.FormatInt(e.TotalTokens, 10), strconv.FormatFloat(e.EstimatedCost, 'f', -1, 64), cell(e.ErrorMessage), cell(e.SessionID), cell(e.UserID)})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// cell keeps a sender's text from being read as a formula by a
// spreadsheet that opens the export (CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportExecution: GET /api/executions/{id}/export: the record, its nodes,
// events, spans and snapshots as one JSON file.
func (u *ui) exportExecution(ctx context.Context, k *apikey.Key, r *http.Request, args []string) (any, error) {
	out := map[string]any{}
	for _, part := range []func(*ui, context.Context, *apikey.Key, *http.Request, []string) (any, error){
		(*ui).executionDetail, (*ui).executionSpans, (*ui).executionSnapshots,
	} {
		v, err := part(u, ctx, k, r, args)
		if err != nil {
			return nil, err
		}
		for name, x := range v.(map[string]any) {
			out[name] = x
		}
	}
	body, err := json.Marshal(out)
	return download{"execution-" + args[0] + ".json", "application/json", body}, err
}

type sessionRow struct {
	ID             string    `ch:"id" json:"id"`
	Runs           uint64    `ch:"runs" json:"runs"`
	Errors         uint64    `ch:"errors" json:"errors"`
	Timeouts       uint64    `ch:"timeouts" json:"timeouts"`
	Running        uint64    `ch:"running" json:"running"`
	Tokens         int64     `ch:"tokens" json:"tokens"`
	Cost           float64   `ch:"cost" json:"cost"`
	DurationMs     float64   `ch:"duration_ms" json:"duration_ms"`
	FirstStartedAt time.Time `ch:"first_started_at" json:"first_started_at"`
	LastStartedAt  time.Time `ch:"last_started_at" json:"last_started_at"`
	Workflows      []string  `ch:"workflows" json:"workflows"`
	Users          []string  `ch:"users" json:"users,omitempty"`
	Sessions       []string  `ch:"sessions" json:"sessions,omitempty"`
}

// grouping is the sessions API's by=session|user.
func grouping(r *http.Request) (string, error) {
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "session"
	}
	col, ok := queries.Groups[by]
	if !ok {
		return "", badParam("by", "must be session or user")
	}
	return col, nil
}

// sessionsList: GET /api/sessions?by=session|user&project&workflow&from&to&limit&offset:
// runs that name a session (or user) grouped by it, the latest first.
func (u *ui) sessionsList(ctx context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	q := r.URL.Query()
	f, err := parseFilters(q)
	if err != nil {
		return nil, err
	}
	col, err := grouping(r)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(q, "limit", 50, 1, 500)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(q, "offset", 0, 0, 10_000)
	if err != nil {
		return nil, err
	}
	sql, err := u.sql("sessions", queries.Data{Group: col})
	if err != nil {
		return nil, err
	}
	rows := []sessionRow{}
	err = u.db.Select(ctx, &rows, sql, k.OrgID, f.project, f.project, f.workflow, f.workflow, f.from, f.to, limit, offset)
	return map[string]any{"sessions": rows, "limit": limit, "offset": offset}, err
}

// sessionRuns: GET /api/sessions/{id}?by=session|user&from&to: its runs in
// order (all time unless from says otherwise) and their totals.
func (u *ui) sessionRuns(ctx context.Context, k *apikey.Key, r *http.Request, args []string) (any, error) {
	q := r.URL.Query()
	if !q.Has("from") {
		q.Set("from", time.Unix(0, 0).UTC().Format(time.RFC3339))
	}
	f, err := parseFilters(q)
	if err != nil {
		return nil, err
	}
	col, err := grouping(r)
	if err != nil {
		return nil, err
	}
	sql, err := u.sql("session_runs", queries.Data{Group: col})
	if err != nil {
		return nil, err
	}
	runs := []agora.ExecutionRow{}
	if err := u.db.Select(ctx, &runs, sql, k.OrgID, args[0], f.from, f.to); err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, apiError{http.StatusNotFound, "session not found"}
	}
	t := sessionRow{ID: args[0], FirstStartedAt: runs[0].StartedAt, LastStartedAt: runs[len(runs)-1].StartedAt, Workflows: []string{}}
	for _, e := range runs {
		t.Runs++
		switch agora.Status(e.Status) {
		case agora.StatusError:
			t.Errors++
		case agora.StatusTimeout:
			t.Timeouts++
		case agora.StatusRunning:
			t.Running++
		}
		t.Tokens += e.TotalTokens
		t.Cost += e.EstimatedCost
		if e.DurationMs != nil {
			t.DurationMs += *e.DurationMs
		}
		if !slices.Contains(t.Workflows, e.WorkflowName) {
			t.Workflows = append(t.Workflows, e.WorkflowName)
		}
	}
	return map[string]any{"session": t, "executions": runs}, nil
}
