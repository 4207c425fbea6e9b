package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/agora-otelcol/agora-otelcol/internal/httpjson"
)

// The current Agora SDK uploads through supabase-py, i.e. PostgREST's HTTP
// API: /rest/v1/{table} on this listener, so VITE_SUPABASE_URL can be the
// same URL as AGORA_PLATFORM_URL. Only the tables and operations the SDK
// uses are served; everything else answers as PostgREST would refuse it.
const restPrefix = "/rest/v1/"

// pgError is PostgREST's error answer.
type pgError struct {
	status        int
	code, message string
	details, hint any
}

func (e pgError) Error() string { return e.message }

func (e pgError) write(w http.ResponseWriter) {
	_ = httpjson.Write(w, e.status, map[string]any{"code": e.code, "message": e.message, "details": e.details, "hint": e.hint})
}

func errNoTable(table string) pgError {
	return pgError{status: http.StatusNotFound, code: "PGRST205", message: fmt.Sprintf("Could not find the table 'public.%s' in the schema cache", table)}
}

// errNoColumn is what the SDK's strip-and-retry looks for.
func errNoColumn(table, column string) pgError {
	return pgError{status: http.StatusBadRequest, code: "PGRST204", message: fmt.Sprintf("Could not find the '%s' column of '%s' in the schema cache", column, table)}
}

func errFilter(s string) pgError {
	return pgError{status: http.StatusBadRequest, code: "PGRST100", message: "failed to parse filter (" + s + ")",
		details: "agora-otelcol answers eq filters only"}
}

var errNotOne = pgError{status: http.StatusNotAcceptable, code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned",
	details: "The result contains 0 rows"}

// pgQuery is a request's query string: select, eq filters, limit.
type pgQuery struct {
	eq     map[string]string
	limit  int
	single bool // Accept: application/vnd.pgrst.object+json
}

func parsePGQuery(req *http.Request, cols map[string]bool, table string) (pgQuery, error) {
	q := pgQuery{eq: map[string]string{}, limit: -1,
		single: strings.Contains(req.Header.Get("Accept"), "application/vnd.pgrst.object+json")}
	for key, vals := range req.URL.Query() {
		v := vals[0]
		switch key {
		case "select", "columns", "order", "on_conflict":
			// Selected columns are answered whole; the rest shapes nothing here.
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return q, pgError{status: http.StatusBadRequest, code: "PGRST100", message: "failed to parse limit (" + v + ")"}
			}
			q.limit = n
		default:
			if !cols[key] {
				return q, pgError{status: http.StatusBadRequest, code: "42703", message: fmt.Sprintf("column %s.%s does not exist", table, key)}
			}
			val, ok := strings.CutPrefix(v, "eq.")
			if !ok {
				return q, errFilter(key + "=" + v)
			}
			if u, err := url.PathUnescape(val); err == nil {
				val = u
			}
			q.eq[key] = val
		}
	}
	return q, nil
}

// rest serves /rest/v1/{table}.
func (r *agoraReceiver) rest(w http.ResponseWriter, req *http.Request, rq *request) {
	name := strings.TrimPrefix(strings.TrimSuffix(req.URL.Path, "/"), restPrefix)
	t, ok := pgTables[name]
	if !ok {
		errNoTable(name).write(w)
		return
	}
	q, err := parsePGQuery(req, t.columns, name)
	if err != nil {
		writePGError(w, err)
		return
	}
	var rows []map[string]any
	status := http.StatusOK
	switch {
	case req.Method == http.MethodGet || req.Method == http.MethodHead:
		rows, err = t.sel(r, rq, q)
	case req.Method == http.MethodPost && t.insert != nil:
		status = http.StatusCreated
		rows, err = r.pgInsert(rq, t, name)
	case req.Method == http.MethodPatch && t.update != nil:
		var patch *fastjson.Value
		if patch, err = r.pgBody(rq, t, name); err == nil {
			rows, err = t.update(r, rq, q, patch)
		}
	default:
		err = pgError{status: http.StatusMethodNotAllowed, code: "PGRST117", message: "Unsupported HTTP method: " + req.Method,
			details: "agora-otelcol serves the Agora SDK's uploads only"}
	}
	if err == nil {
		err = r.consume(rq)
	}
	if err != nil {
		writePGError(w, err)
		return
	}
	if q.limit >= 0 && len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	switch {
	case q.single:
		if len(rows) != 1 {
			errNotOne.write(w)
			return
		}
		_ = httpjson.Write(w, status, rows[0])
	case req.Method != http.MethodGet && !strings.Contains(req.Header.Get("Prefer"), "return=representation"):
		if status == http.StatusOK {
			status = http.StatusNoContent
		}
		w.WriteHeader(status)
	default:
		if rows == nil {
			rows = []map[string]any{}
		}
		w.Header().Set("Content-Range", contentRange(len(rows)))
		_ = httpjson.Write(w, status, rows)
	}
}

func contentRange(n int) string {
	if n == 0 {
		return "*/*"
	}
	return fmt.Sprintf("0-%d/*", n-1)
}

// pgBody parses the body and refuses columns the table does not have, as
// PostgREST does, naming the first one: the SDK strips it and retries.
func (r *agoraReceiver) pgBody(rq *request, t *pgTable, table string) (*fastjson.Value, error) {
	v, err := rq.parser.ParseBytes(rq.body)
	if err != nil {
		return nil, pgError{status: http.StatusBadRequest, code: "PGRST102", message: "Empty or invalid json"}
	}
	rowsOf := []*fastjson.Value{v}
	if v.Type() == fastjson.TypeArray {
		rowsOf, _ = v.Array()
	}
	for _, row := range rowsOf {
		obj, err := row.Object()
		if err != nil {
			return nil, pgError{status: http.StatusBadRequest, code: "PGRST102", message: "All object keys must match"}
		}
		var unknown []string
		obj.Visit(func(k []byte, _ *fastjson.Value) {
			if !t.columns[string(k)] {
				unknown = append(unknown, string(k))
			}
		})
		if len(unknown) > 0 {
			slices.Sort(unknown)
			return nil, errNoColumn(table, unknown[0])
		}
	}
	return v, nil
}

// pgInsert inserts an object or an array of them.
func (r *agoraReceiver) pgInsert(rq *request, t *pgTable, table string) ([]map[string]any, error) {
	v, err := r.pgBody(rq, t, table)
	if err != nil {
		return nil, err
	}
	items := []*fastjson.Value{v}
	if v.Type() == fastjson.TypeArray {
		items, _ = v.Array()
	}
	rows := make([]map[string]any, 0, len(items))
	for i, item := range items {
		o, err := (&object{window: rq.window}).child("", item)
		if err != nil {
			return nil, badRequest{err}
		}
		row, err := t.insert(r, rq, o)
		if err != nil {
			if len(items) > 1 {
				err = fmt.Errorf("row %d: %w", i, err)
			}
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// writePGError answers any error the PostgREST way: validation problems as
// 400 (the message names the field), an execution the caller cannot see as
// what PostgREST answers for a row it cannot see, the pipeline's refusals as
// 503 with Retry-After.
func writePGError(w http.ResponseWriter, err error) {
	var pe pgError
	var bad badRequest
	var pipe pipelineError
	var he httpError
	switch {
	case errors.As(err, &pe):
		pe.write(w)
	case errors.As(err, &he):
		pgError{status: he.status, code: "PGRST" + strconv.Itoa(he.status), message: he.msg}.write(w)
	case errors.As(err, &bad):
		pgError{status: http.StatusBadRequest, code: "22P02", message: bad.Error()}.write(w)
	case errors.As(err, &pipe) && consumererror.IsPermanent(pipe.err):
		pgError{status: http.StatusBadRequest, code: "22000", message: "data refused: " + pipe.err.Error()}.write(w)
	case errors.As(err, &pipe):
		w.Header().Set("Retry-After", "1")
		pgError{status: http.StatusServiceUnavailable, code: "53000", message: "temporarily unable to accept data, retry later: " + pipe.err.Error()}.write(w)
	default:
		pgError{status: http.StatusInternalServerError, code: "XX000", message: err.Error()}.write(w)
	}
}
