package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

type statusCount struct {
	Status string `ch:"status"`
	N      uint64 `ch:"n"`
}

// listExecutions: GET /api/executions?status&project&workflow&from&to&sort&order&limit&offset
func (u *ui) listExecutions(ctx context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	q := r.URL.Query()
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
	if err := u.resolveSearch(ctx, k, &f); err != nil {
		return nil, err
	}
	if f.resolved {
		return u.listFound(ctx, k, q, f, limit, offset)
	}
	counts, err := u.sql("counts", f.data())
	if err != nil {
		return nil, err
	}
	rows := []agora.ExecutionRow{}
	var cs []statusCount
	g, _ := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		rows, err = u.selectExecutions(ctx, k, q, &f, limit, offset)
		return err
	})
	g.Go(func() error {
		return u.db.Select(ctx, &cs, counts, append([]any{k.OrgID, f.project, f.project, f.workflow, f.workflow, f.from, f.to}, f.subqueryArgs(k)...)...)
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	byStatus := statusCounts()
	var total uint64
	for _, s := range cs {
		byStatus[agora.Status(s.Status)] = s.N
		if f.status == "" || f.status == s.Status {
			total += s.N
		}
	}
	return listAnswer(rows, total, byStatus, limit, offset), nil
}

// listFound answers the list when the search was resolved: the statuses
// of every run it found (at most maxFoundIDs, in the requested order) give
// the counts and the page's ids; only the page's rows are read whole.
func (u *ui) listFound(ctx context.Context, k *apikey.Key, q url.Values, f filters, limit, offset int) (any, error) {
	byStatus := statusCounts()
	if f.nothingFound() {
		return listAnswer([]agora.ExecutionRow{}, 0, byStatus, limit, offset), nil
	}
	sql, err := u.sortedQuery("found_runs", q, queries.Data{})
	if err != nil {
		return nil, err
	}
	var found []struct {
		ID     uuid.UUID `ch:"ExecutionId"`
		Status string    `ch:"Status"`
	}
	if err := u.db.Select(ctx, &found, sql, k.OrgID, f.project, f.project, f.workflow, f.workflow, f.from, f.to, f.found); err != nil {
		return nil, err
	}
	var ids []string
	var total uint64
	for _, e := range found {
		byStatus[agora.Status(e.Status)]++
		if f.status != "" && f.status != e.Status {
			continue
		}
		if total >= uint64(offset) && len(ids) < limit {
			ids = append(ids, e.ID.String())
		}
		total++
	}
	page := f
	page.status, page.found = "", ids
	rows, err := u.selectExecutions(ctx, k, q, &page, limit, 0)
	if err != nil {
		return nil, err
	}
	return listAnswer(rows, total, byStatus, limit, offset), nil
}

// statusCounts is a count per execution status, all zero.
func statusCounts() map[agora.Status]uint64 {
	byStatus := map[agora.Status]uint64{}
	for _, s := range agora.ExecutionStatuses {
		byStatus[s] = 0
	}
	return byStatus
}

func listAnswer(rows []agora.ExecutionRow, total uint64, counts map[agora.Status]uint64, limit, offset int) map[string]any {
	return map[string]any{"executions": rows, "total": total, "counts": counts, "limit": limit, "offset": offset}
}

// maxFoundIDs: up to this many runs found, the search is resolved once and
// the list reads them by id; beyond, the list and counts each run the
// search (their ids would make a query text too long).
const maxFoundIDs = 2000

// resolveSearch runs the search once, for the list and counts to share.
func (u *ui) resolveSearch(ctx context.Context, k *apikey.Key, f *filters) error {
	if len(f.words) == 0 || f.resolved {
		return nil
	}
	sql, err := u.sql("search_ids", queries.Data{})
	if err != nil {
		return err
	}
	var found []struct {
		ID uuid.UUID `ch:"ExecutionId"`
	}
	if err := u.db.Select(ctx, &found, sql, k.OrgID, f.from, f.searchTo(), f.words, maxFoundIDs+1); err != nil {
		return err
	}
	if len(found) > maxFoundIDs {
		return nil
	}
	f.found, f.resolved = make([]string, len(found)), true
	for i, r := range found {
		f.found[i] = r.ID.String()
	}
	return nil
}

// searchTo bounds the search's text rows: nodes start after their run, so
// a day's margin past the window.
func (f *filters) searchTo() time.Time { return f.to.Add(24 * time.Hour) }

// nothingFound: the search was resolved and found no run.
func (f *filters) nothingFound() bool { return f.resolved && len(f.found) == 0 }

// selectExecutions reads a page of the filtered list in the requested order.
func (u *ui) selectExecutions(ctx context.Context, k *apikey.Key, q url.Values, f *filters, limit, offset int) ([]agora.ExecutionRow, error) {
	list, err := u.sortedQuery("list", q, f.data())
	if err != nil {
		return nil, err
	}
	rows := []agora.ExecutionRow{}
	if f.nothingFound() {
		return rows, nil
	}
	err = u.db.Select(ctx, &rows, list, append(append([]any{k.OrgID, f.status, f.status, f.project, f.project, f.workflow, f.workflow, f.from, f.to},
		f.subqueryArgs(k)...), limit, offset)...)
	return rows, err
}

// data says which subqueries the filters render.
func (f *filters) data() queries.Data {
	return queries.Data{Node: f.node != "", Search: len(f.words) > 0 && !f.resolved, IDs: f.resolved}
}

// subqueryArgs bind the node filter's and the search's subqueries, in
// the caller's org.
func (f *filters) subqueryArgs(k *apikey.Key) []any {
	var args []any
	if f.node != "" {
		args = append(args, k.OrgID, f.node, f.from, f.to)
	}
	switch {
	case f.resolved:
		args = append(args, f.found)
	case len(f.words) > 0:
		args = append(args, k.OrgID, f.from, f.searchTo(), f.words)
	}
	return args
}

// sortedQuery renders a query of the list with its requested, whitelisted
// order.
func (u *ui) sortedQuery(name string, q url.Values, d queries.Data) (string, error) {
	sortName := q.Get("sort")
	if sortName == "" {
		sortName = "started_at"
	}
	sortCol, ok := queries.Sorts[sortName]
	if !ok {
		return "", badParam("sort", "must be started_at, duration, status or workflow")
	}
	order := strings.ToUpper(q.Get("order"))
	if order == "" {
		order = "DESC"
	}
	if order != "ASC" && order != "DESC" {
		return "", badParam("order", "must be asc or desc")
	}
	d.Sort, d.Order = sortCol, order
	return u.sql(name, d)
}

// readExecution runs the named per-execution queries at once, each a point
// read by key on one thread (several at once on few cores would otherwise
// fight over them).
func (u *ui) readExecution(ctx context.Context, k *apikey.Key, reads map[string]any, args ...any) error {
	qctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_threads": 1}))
	g, _ := errgroup.WithContext(ctx)
	for name, dst := range reads {
		g.Go(func() error {
			sql, err := u.sql(name, queries.Data{})
			if err != nil {
				return err
			}
			return u.db.Select(qctx, dst, sql, append([]any{k.OrgID}, args...)...)
		})
	}
	return g.Wait()
}

// executionDetail: GET /api/executions/{id}: the record, its node executions
// and events. Spans and snapshots, which can be many, have their own calls.
func (u *ui) executionDetail(ctx context.Context, k *apikey.Key, _ *http.Request, args []string) (any, error) {
	exec, err := uuid.Parse(args[0])
	if err != nil {
		return nil, errNotFound
	}
	var execs []agora.ExecutionRow
	nodes, events := []agora.NodeExecutionRow{}, []agora.EventRow{}
	if err := u.readExecution(ctx, k, map[string]any{"execution": &execs, "nodes": &nodes, "events": &events}, exec); err != nil {
		return nil, err
	}
	if len(execs) == 0 {
		return nil, errNotFound
	}
	return map[string]any{"execution": execs[0], "nodes": nodes, "events": events}, nil
}

// executionSpans: GET /api/executions/{id}/spans: the spans filed under the
// execution and those of every trace the execution record names (a flow span
// that named an API execution, whose children arrived before it). An
// execution of another org has none: the same answer as an unknown one.
func (u *ui) executionSpans(ctx context.Context, k *apikey.Key, _ *http.Request, args []string) (any, error) {
	exec, err := uuid.Parse(args[0])
	if err != nil {
		return nil, errNotFound
	}
	var traces []struct {
		TraceIDs []string `ch:"TraceIds"`
	}
	if err := u.readExecution(ctx, k, map[string]any{"traces": &traces}, exec); err != nil {
		return nil, err
	}
	ids := []string{}
	if len(traces) > 0 {
		ids = traces[0].TraceIDs
	}
	rows := []agora.SpanRow{}
	if err := u.readExecution(ctx, k, map[string]any{"spans": &rows}, exec.String(), ids); err != nil {
		return nil, err
	}
	return map[string]any{"spans": rows}, nil
}

// executionSnapshots: GET /api/executions/{id}/snapshots.
func (u *ui) executionSnapshots(ctx context.Context, k *apikey.Key, _ *http.Request, args []string) (any, error) {
	exec, err := uuid.Parse(args[0])
	if err != nil {
		return nil, errNotFound
	}
	rows := []agora.LogRow{}
	if err := u.readExecution(ctx, k, map[string]any{"snapshots": &rows}, exec.String(), agora.EventStateSnapshot); err != nil {
		return nil, err
	}
	return map[string]any{"snapshots": rows, "diffs": snapshotDiffs(rows)}, nil
}
