package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/httpjson"
)

// apiError is an answer: status and detail.
type apiError struct {
	status int
	detail string
}

func (e apiError) Error() string { return e.detail }

func badParam(name, msg string) error { return apiError{http.StatusBadRequest, name + ": " + msg} }

var errNotFound = apiError{http.StatusNotFound, "execution not found"}

// route is one API call: method, path pattern, the scope it needs and
// its handler, which gets the caller's key (its org scopes every query).
type route struct {
	method string
	path   []string // "*" matches any one segment
	scope  apikey.Scope
	handle func(u *ui, ctx context.Context, k *apikey.Key, r *http.Request, args []string) (any, error)
}

var routes = []route{
	{http.MethodGet, []string{"me"}, apikey.ScopeRead, (*ui).me},
	{http.MethodGet, []string{"executions"}, apikey.ScopeRead, (*ui).listExecutions},
	{http.MethodGet, []string{"executions", "export"}, apikey.ScopeRead, (*ui).exportExecutions},
	{http.MethodGet, []string{"executions", "*"}, apikey.ScopeRead, (*ui).executionDetail},
	{http.MethodGet, []string{"executions", "*", "export"}, apikey.ScopeRead, (*ui).exportExecution},
	{http.MethodGet, []string{"executions", "*", "spans"}, apikey.ScopeRead, (*ui).executionSpans},
	{http.MethodGet, []string{"executions", "*", "snapshots"}, apikey.ScopeRead, (*ui).executionSnapshots},
	{http.MethodGet, []string{"executions", "*", "llm"}, apikey.ScopeRead, (*ui).llmCalls},
	{http.MethodGet, []string{"sessions"}, apikey.ScopeRead, (*ui).sessionsList},
	{http.MethodGet, []string{"sessions", "*"}, apikey.ScopeRead, (*ui).sessionRuns},
	{http.MethodGet, []string{"usage"}, apikey.ScopeRead, (*ui).usage},
	{http.MethodGet, []string{"workflows"}, apikey.ScopeRead, (*ui).workflows},
	{http.MethodGet, []string{"workflows", "*", "graph"}, apikey.ScopeRead, (*ui).graph},
	{http.MethodGet, []string{"metrics"}, apikey.ScopeRead, (*ui).metrics},
	{http.MethodGet, []string{"keys"}, apikey.ScopeAdmin, (*ui).listKeys},
	{http.MethodPost, []string{"keys"}, apikey.ScopeAdmin, (*ui).createKey},
	{http.MethodPost, []string{"keys", "*", "revoke"}, apikey.ScopeAdmin, (*ui).revokeKey},
	{http.MethodGet, []string{"alerts", "rules"}, apikey.ScopeRead, (*ui).listRules},
	{http.MethodPost, []string{"alerts", "rules"}, apikey.ScopeAdmin, (*ui).createRule},
	{http.MethodPut, []string{"alerts", "rules", "*"}, apikey.ScopeAdmin, (*ui).replaceRule},
	{http.MethodDelete, []string{"alerts", "rules", "*"}, apikey.ScopeAdmin, (*ui).deleteRule},
	{http.MethodPost, []string{"alerts", "rules", "*", "test"}, apikey.ScopeAdmin, (*ui).testRule},
	{http.MethodGet, []string{"alerts", "events"}, apikey.ScopeRead, (*ui).alertEvents},
	{http.MethodGet, []string{"alerts", "events", "*", "deliveries"}, apikey.ScopeRead, (*ui).alertDeliveries},
}

// match returns the route's handler and the segments its "*" matched.
func match(method string, parts []string) (*route, []string) {
	for i := range routes {
		rt := &routes[i]
		if rt.method != method || len(rt.path) != len(parts) {
			continue
		}
		var args []string
		ok := true
		for j, p := range rt.path {
			if p == "*" {
				args = append(args, parts[j])
			} else if p != parts[j] {
				ok = false
				break
			}
		}
		if ok {
			return rt, args
		}
	}
	return nil, nil
}

func (u *ui) api(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	if path == "session" {
		u.session(w, r)
		return
	}
	k, err := u.caller(r)
	if err != nil {
		u.answerError(w, r, err)
		return
	}
	// Split before unescaping: a segment (a session id) may hold a "/".
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.EscapedPath(), "/api/"), "/"), "/")
	for i, p := range parts {
		if s, err := url.PathUnescape(p); err == nil {
			parts[i] = s
		}
	}
	if r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "live" {
		// A stream: no query timeout, no JSON answer.
		if err := k.Require(apikey.ScopeRead); err != nil {
			httpjson.Detail(w, http.StatusForbidden, err.Error())
			return
		}
		u.live(w, r, k)
		return
	}
	rt, args := match(r.Method, parts)
	if rt == nil {
		httpjson.Detail(w, http.StatusNotFound, "not found: "+r.Method+" "+r.URL.Path)
		return
	}
	if err := k.Require(rt.scope); err != nil {
		httpjson.Detail(w, http.StatusForbidden, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), u.cfg.QueryTimeout)
	defer cancel()
	resp, err := rt.handle(u, ctx, k, r, args)
	if err != nil {
		u.answerError(w, r, err)
		return
	}
	if d, ok := resp.(download); ok {
		w.Header().Set("Content-Type", d.contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+d.name+`"`)
		_, _ = w.Write(d.body)
		return
	}
	u.write(w, r, http.StatusOK, resp)
}

// answerError: an apiError as it is; anything else (a query that failed)
// as 503 with an id the log line carries next to the real error, which may
// hold database text that is not for clients.
func (u *ui) answerError(w http.ResponseWriter, r *http.Request, err error) {
	var ae apiError
	if errors.As(err, &ae) {
		httpjson.Detail(w, ae.status, ae.detail)
		return
	}
	id := errorID()
	u.set.Logger.Error("UI API call failed", zap.String("error_id", id), zap.String("path", r.URL.Path), zap.Error(err))
	httpjson.Write(w, http.StatusServiceUnavailable, map[string]string{"detail": "query failed (error id " + id + "; details in the collector's log)", "error_id": id})
}

// write answers v, or 500 with an error id when v cannot be encoded: never
// a 200 without a body.
func (u *ui) write(w http.ResponseWriter, r *http.Request, status int, v any) {
	if err := httpjson.Write(w, status, v); err != nil {
		id := errorID()
		u.set.Logger.Error("UI API answer not encodable", zap.String("error_id", id), zap.String("path", r.URL.Path), zap.Error(err))
		httpjson.Write(w, http.StatusInternalServerError, map[string]string{"detail": "answer could not be encoded (error id " + id + ")", "error_id": id})
	}
}

func errorID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (u *ui) me(_ context.Context, k *apikey.Key, _ *http.Request, _ []string) (any, error) {
	return map[string]any{"org_id": k.OrgID, "org_name": k.OrgName, "key_id": k.ID, "key_name": k.Name, "scopes": k.ScopeNames()}, nil
}

func (u *ui) sql(name string, d queries.Data) (string, error) {
	d.Database = u.cfg.ClickHouse.DatabaseName()
	return queries.Render(name+".sql", d)
}

// Filters shared by the list, counts and metrics.
type filters struct {
	status, project, workflow string
	// node: only executions where the node of that name failed or retried.
	node string
	// words: every one must be in one error, input or output (search);
	// found: the runs that search found, once resolved (resolveSearch).
	words    []string
	found    []string
	resolved bool
	from, to time.Time
}

// defaultWindow is the time range of a query that names none: recent
// executions, which daily partitions let ClickHouse read without the rest.
const defaultWindow = 24 * time.Hour

func parseFilters(q url.Values) (filters, error) {
	f := filters{status: q.Get("status"), project: q.Get("project"), workflow: q.Get("workflow"), node: q.Get("node"),
		from: time.Now().Add(-defaultWindow).UTC(), to: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)}
	if q.Has("q") {
		words, err := searchWords(q.Get("q"))
		if err != nil {
			return f, err
		}
		f.words = words
	}
	if f.status != "" && !slices.Contains(agora.ExecutionStatuses, agora.Status(f.status)) {
		return f, badParam("status", "must be one of "+agora.JoinStatuses(agora.ExecutionStatuses))
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
