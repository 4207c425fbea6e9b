package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
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

// route is one API call: method, path pattern and handler.
type route struct {
	method string
	path   []string // "*" matches any one segment
	handle func(u *ui, ctx context.Context, c agora.Caller, r *http.Request, args []string) (any, error)
}

var routes = []route{
	{http.MethodGet, []string{"me"}, (*ui).me},
	{http.MethodGet, []string{"executions"}, (*ui).listExecutions},
	{http.MethodGet, []string{"executions", "*"}, (*ui).executionDetail},
	{http.MethodGet, []string{"executions", "*", "spans"}, (*ui).executionSpans},
	{http.MethodGet, []string{"executions", "*", "snapshots"}, (*ui).executionSnapshots},
	{http.MethodGet, []string{"workflows"}, (*ui).workflows},
	{http.MethodGet, []string{"metrics"}, (*ui).metrics},
	{http.MethodGet, []string{"keys"}, (*ui).listKeys},
	{http.MethodPost, []string{"keys"}, (*ui).createKey},
	{http.MethodPost, []string{"keys", "*", "revoke"}, (*ui).revokeKey},
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
	c, ok := agora.CallerFrom(r.Context())
	if !ok {
		httpjson.Detail(w, http.StatusUnauthorized, "sign in with an API key (X-API-Key)")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), u.cfg.QueryTimeout)
	defer cancel()
	rt, args := match(r.Method, strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/"), "/"), "/"))
	if rt == nil {
		httpjson.Detail(w, http.StatusNotFound, "not found: "+r.Method+" "+r.URL.Path)
		return
	}
	resp, err := rt.handle(u, ctx, c, r, args)
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

func (u *ui) me(_ context.Context, c agora.Caller, _ *http.Request, _ []string) (any, error) {
	return map[string]string{"org_id": c.OrgID, "org_name": c.OrgName, "key_id": c.KeyID, "key_name": c.KeyName}, nil
}

func (u *ui) sql(name string, d queries.Data) (string, error) {
	d.Database = u.cfg.ClickHouse.DatabaseName()
	return queries.Render(name+".sql", d)
}

// Filters shared by the list, counts and metrics.
type filters struct {
	status, project, workflow string
	from, to                  time.Time
}

// defaultWindow is the time range of a query that names none: recent
// executions, which daily partitions let ClickHouse read without the rest.
const defaultWindow = 24 * time.Hour

func parseFilters(q url.Values) (filters, error) {
	f := filters{status: q.Get("status"), project: q.Get("project"), workflow: q.Get("workflow"),
		from: time.Now().Add(-defaultWindow).UTC(), to: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)}
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
