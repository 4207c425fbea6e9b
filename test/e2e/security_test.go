//go:build integration

package e2e

// The security suite: what a holder of one key (or of none) can and cannot
// do through the built collector. Every attack case is recorded in
// test-output/security.txt for the README's Security section.

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

var attackLog sync.Mutex

// attack records one attack case: blocked is whether the collector held.
// The test itself asserts; this is the tally the README quotes.
func attack(t *testing.T, suite, name string, blocked bool) {
	t.Helper()
	attackLog.Lock()
	defer attackLog.Unlock()
	dir, _ := filepath.Abs("../../test-output")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	f, err := os.OpenFile(filepath.Join(dir, "security.txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	defer f.Close()
	verdict := "blocked"
	if !blocked {
		verdict = "SUCCEEDED"
	}
	fmt.Fprintf(f, "%-10s %-9s %s\n", suite, verdict, name)
}

// uiCall sends a request to the UI's API with a key and returns the status.
func (c *collector) uiCall(t testing.TB, key, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+c.ui+"/api/"+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

// TestScopeMatrix: each scope against each endpoint. ingest sends
// telemetry only; read signs in and queries; admin also manages keys; a key
// from before scopes keeps doing everything. Refused calls write nothing.
func TestScopeMatrix(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	type scoped struct {
		name   string
		scopes []apikey.Scope
		key    string
		org    apikey.Key
		victim apikey.Key // a key of the same org, to revoke
	}
	keys := []*scoped{
		{name: "ingest", scopes: []apikey.Scope{apikey.ScopeIngest}},
		{name: "read", scopes: []apikey.Scope{apikey.ScopeRead}},
		{name: "admin", scopes: []apikey.Scope{apikey.ScopeAdmin}},
		{name: "unscoped", scopes: apikey.Scopes},
	}
	for _, k := range keys {
		k.key, k.org = c.newKey(t, "scope-"+k.name, 0, k.scopes...)
		_, k.victim = c.newKey(t, "scope-"+k.name, 0, apikey.ScopeRead)
	}
	// The unscoped key as written before scopes existed.
	_, err := apikey.Update(c.keysFile, func(f *apikey.File) error {
		for i := range f.Keys {
			if f.Keys[i].ID == keys[3].org.ID {
				f.Keys[i].Scopes = nil
			}
		}
		return nil
	})
	require.NoError(t, err)
	time.Sleep(2500 * time.Millisecond) // one reload interval

	endpoints := []struct {
		name  string
		allow func(k *scoped) bool
		call  func(k *scoped, i int) (ok bool, detail string)
	}{
		{"Agora API start", func(k *scoped) bool { return k.name == "ingest" || k.name == "unscoped" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/start", Headers: map[string]string{"Content-Type": "application/json"},
				Body: []byte(`{"workflow_name": "wf", "project_name": "p"}`)}, k.key, "")
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"OTLP HTTP", func(k *scoped) bool { return k.name == "ingest" || k.name == "unscoped" }, func(k *scoped, i int) (bool, string) {
			code, body := postHTTP(t, c, map[string]string{"X-API-Key": k.key}, oneSpan("svc", "", 100+i))
			return code == http.StatusOK, fmt.Sprint(code, body)
		}},
		{"OTLP gRPC", func(k *scoped) bool { return k.name == "ingest" || k.name == "unscoped" }, func(k *scoped, i int) (bool, string) {
			err := exportGRPC(t, c, map[string]string{"x-api-key": k.key}, oneSpan("svc", "", 200+i))
			return err == nil, fmt.Sprint(err)
		}},
		{"UI sign-in", func(k *scoped) bool { return k.name != "ingest" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, "", http.MethodPost, "session", fmt.Sprintf(`{"key": %q}`, k.key))
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"query API read", func(k *scoped) bool { return k.name != "ingest" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, k.key, http.MethodGet, "executions", "")
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"export executions", func(k *scoped) bool { return k.name != "ingest" }, func(k *scoped, _ int) (bool, string) {
			code, _, body := c.uiRaw(t, k.key, "executions/export?format=json")
			return code == http.StatusOK, fmt.Sprint(code, string(body))
		}},
		{"sessions", func(k *scoped) bool { return k.name != "ingest" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, k.key, http.MethodGet, "sessions", "")
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"live tail", func(k *scoped) bool { return k.name != "ingest" }, func(k *scoped, _ int) (bool, string) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.ui+"/api/live", nil)
			req.Header.Set("X-API-Key", k.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return false, err.Error()
			}
			defer resp.Body.Close()
			return resp.StatusCode == http.StatusOK, fmt.Sprint(resp.StatusCode)
		}},
		{"list keys", func(k *scoped) bool { return k.name == "admin" || k.name == "unscoped" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, k.key, http.MethodGet, "keys", "")
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"create key", func(k *scoped) bool { return k.name == "admin" || k.name == "unscoped" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, k.key, http.MethodPost, "keys", `{"name": "made", "scopes": ["read"], "expires_in_days": 1}`)
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"create wider key", func(k *scoped) bool { return k.name == "unscoped" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, k.key, http.MethodPost, "keys", `{"name": "wider", "scopes": ["ingest", "admin"]}`)
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"create alert rule", func(k *scoped) bool { return k.name == "admin" || k.name == "unscoped" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, k.key, http.MethodPost, "alerts/rules", `{"name": "r", "kind": "tokens", "window_seconds": 3600, "threshold": 1e9, "min_samples": 1, "webhook_url": "https://hooks.example.com/x"}`)
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"read alert history", func(k *scoped) bool { return k.name != "ingest" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, k.key, http.MethodGet, "alerts/events", "")
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
		{"revoke key", func(k *scoped) bool { return k.name == "admin" || k.name == "unscoped" }, func(k *scoped, _ int) (bool, string) {
			code, resp := c.uiCall(t, k.key, http.MethodPost, "keys/"+k.victim.ID+"/revoke", "")
			return code == http.StatusOK, fmt.Sprint(code, resp)
		}},
	}
	for i, k := range keys {
		for _, ep := range endpoints {
			want := ep.allow(k)
			ok, detail := ep.call(k, i)
			assert.Equal(t, want, ok, "%s key, %s: %s", k.name, ep.name, detail)
			if !want {
				attack(t, "scopes", fmt.Sprintf("%s key: %s", k.name, ep.name), !ok)
			}
		}
	}

	// Nothing was written by a refused call: telemetry only in the orgs
	// whose keys may ingest, keys only made by admin keys, no revocation.
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans FINAL WHERE OrgId = ?", 2, keys[0].org.OrgID)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans FINAL WHERE OrgId = ?", 2, keys[3].org.OrgID)
	time.Sleep(time.Second) // what a refused request might have written would be there by now
	for _, k := range keys[1:3] {
		var n uint64
		for _, table := range []string{"spans", "executions", "logs"} {
			require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM `"+db+"`."+table+" WHERE OrgId = ?", k.org.OrgID).Scan(&n))
			assert.Zero(t, n, "%s key wrote to %s", k.name, table)
		}
	}
	f, err := apikey.Load(c.keysFile)
	require.NoError(t, err)
	perOrg := map[string][]apikey.Key{}
	for _, k := range f.Keys {
		perOrg[k.OrgID] = append(perOrg[k.OrgID], k)
	}
	for _, k := range keys {
		var rules uint64
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM `"+db+"`.alert_rules WHERE OrgId = ?", k.org.OrgID).Scan(&rules))
		manages := k.name == "admin" || k.name == "unscoped"
		assert.Equal(t, map[bool]uint64{true: 1, false: 0}[manages], rules, "%s key's alert rules", k.name)
		want := 2
		if manages {
			want = 3 // made
		}
		if k.name == "unscoped" {
			want = 4 // made, wider
		}
		assert.Len(t, perOrg[k.org.OrgID], want, "%s key's org", k.name)
		for _, o := range perOrg[k.org.OrgID] {
			if o.ID == k.victim.ID {
				assert.Equal(t, manages, o.RevokedAt != nil, "%s key revoked its org's key", k.name)
			}
		}
	}
}

// TestUISessions: a read key signs in for an httpOnly session; the session
// works without the key, ends at sign-out and when its key is revoked;
// every answer carries the security headers; a sign-in posted from another
// site is refused; a failing query answers an error id, not database text.
func TestUISessions(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	admin, _ := c.newKey(t, "sess", 0, apikey.ScopeAdmin)
	reader, readerKey := c.newKey(t, "sess", 0, apikey.ScopeRead)
	jar := &cookieClient{t: t, base: "http://" + c.ui}

	code, _ := jar.call(http.MethodPost, "/api/session", fmt.Sprintf(`{"key": %q}`, reader), nil)
	require.Equal(t, http.StatusOK, code)
	cookie := jar.cookie
	require.NotNil(t, cookie)
	assert.True(t, cookie.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, cookie.SameSite)
	assert.False(t, cookie.Secure, "plain HTTP here; Secure under TLS (TestGatewayTLS)")
	assert.NotContains(t, cookie.Value, reader[len(apikey.Prefix):])

	code, h := jar.get("/api/executions")
	assert.Equal(t, http.StatusOK, code, "the cookie alone signs the request")
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Contains(t, h.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "DENY", h.Get("X-Frame-Options"))
	_, page := jar.get("/")
	assert.Contains(t, page.Get("Content-Security-Policy"), "frame-ancestors 'none'", "pages too")
	assert.Equal(t, "nosniff", page.Get("X-Content-Type-Options"))

	code, _ = jar.call(http.MethodGet, "/api/keys", "", nil)
	assert.Equal(t, http.StatusForbidden, code, "a read session cannot manage keys")
	attack(t, "sessions", "read session lists keys", code == http.StatusForbidden)

	code, _ = jar.call(http.MethodPost, "/api/session", fmt.Sprintf(`{"key": %q}`, reader), map[string]string{"Origin": "https://evil.example"})
	assert.Equal(t, http.StatusForbidden, code)
	attack(t, "sessions", "sign-in posted from another site", code == http.StatusForbidden)

	forged := &cookieClient{t: t, base: jar.base, cookie: &http.Cookie{Name: "agora_session", Value: "guessed-token"}}
	code, _ = forged.get("/api/executions")
	assert.Equal(t, http.StatusUnauthorized, code)
	attack(t, "sessions", "guessed session token", code == http.StatusUnauthorized)

	// revoking the key ends its session
	code, resp := c.uiCall(t, admin, http.MethodPost, "keys/"+readerKey.ID+"/revoke", "")
	require.Equal(t, http.StatusOK, code, resp)
	code, _ = jar.get("/api/executions")
	assert.Equal(t, http.StatusUnauthorized, code, "the revoked key's session is over")
	attack(t, "sessions", "session of a revoked key", code == http.StatusUnauthorized)

	// sign-out ends a session; the old cookie is worthless after it
	second := &cookieClient{t: t, base: jar.base}
	code, _ = second.call(http.MethodPost, "/api/session", fmt.Sprintf(`{"key": %q}`, admin), nil)
	require.Equal(t, http.StatusOK, code)
	old := second.cookie
	code, _ = second.call(http.MethodDelete, "/api/session", "", nil)
	require.Equal(t, http.StatusOK, code)
	replay := &cookieClient{t: t, base: jar.base, cookie: old}
	code, _ = replay.get("/api/executions")
	assert.Equal(t, http.StatusUnauthorized, code)
	attack(t, "sessions", "cookie replayed after sign-out", code == http.StatusUnauthorized)

	// a query that fails: the client sees an id, the log has the cause
	require.NoError(t, conn.Exec(t.Context(), "DROP TABLE `"+db+"`.executions"))
	code, body := c.uiCall(t, admin, http.MethodGet, "executions", "")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	id, _ := body["error_id"].(string)
	require.NotEmpty(t, id, "%v", body)
	assert.NotContains(t, strings.ToLower(fmt.Sprint(body)), "executions", "no database text: %v", body)
	assert.Eventually(t, func() bool { return strings.Contains(c.log.String(), id) }, 5*time.Second, 100*time.Millisecond, "the log has the error id")
	attack(t, "ui", "database error text in an answer", !strings.Contains(fmt.Sprint(body), db))
}

// cookieClient keeps the session cookie like a browser.
type cookieClient struct {
	t      *testing.T
	base   string
	cookie *http.Cookie
}

func (cc *cookieClient) call(method, path, body string, headers map[string]string) (int, http.Header) {
	cc.t.Helper()
	req, err := http.NewRequest(method, cc.base+path, strings.NewReader(body))
	require.NoError(cc.t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if cc.cookie != nil {
		req.AddCookie(cc.cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(cc.t, err)
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "agora_session" && ck.MaxAge >= 0 {
			cc.cookie = ck
		}
	}
	return resp.StatusCode, resp.Header
}

func (cc *cookieClient) get(path string) (int, http.Header) {
	return cc.call(http.MethodGet, path, "", nil)
}

// postLogs sends OTLP/HTTP logs with a key.
func postLogs(t testing.TB, c *collector, key string, ld plog.Logs) int {
	t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, "http://"+c.http+"/v1/logs", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestForgedRecords: a sender's OTLP log records named like the execution
// processor's own (agora.execution, agora.node_execution), with versions
// far in the future, change no execution or node row: they are kept as
// ordinary logs. A node report naming another org's execution id folds
// into the sender's own org only.
func TestForgedRecords(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	keyA, a := c.newKey(t, "victim", 0)
	keyB, _ := c.newKey(t, "forger", 0)
	exec := uuid.MustParse(sendAPIRun(t, c, keyA))
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId = ? AND Status = 'error' AND NodeCount = 4", 1, a.OrgID, exec)
	before, beforeNodes := storedRun(t, db, a.OrgID, exec)

	forge := func(org string) plog.Logs {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr(agora.AttrOrgID, org) // the tenant processor overwrites it anyway
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		scope := agora.Scope{ExecutionID: exec, ProjectID: before.ProjectID, ProjectName: before.ProjectName, WorkflowID: before.WorkflowID, WorkflowName: before.WorkflowName}
		future := pcommon.NewTimestampFromTime(time.Date(2199, 1, 1, 0, 0, 0, 0, time.UTC))
		rec := agora.Execution{Scope: scope, Status: agora.StatusSuccess, StartedAt: before.StartedAt, NodeCount: 999, TotalTokens: 1 << 40}
		rec.Append(lrs).SetObservedTimestamp(future)
		first := beforeNodes[0]
		node := agora.NodeExecution{Scope: scope, ID: first.NodeExecutionID, NodeID: first.NodeID, NodeName: first.NodeName, NodeType: first.NodeType,
			Status: agora.StatusSuccess, StartedAt: first.StartedAt, ErrorMessage: "forged"}
		node.Append(lrs, agora.EventNodeExecutionRecord).SetObservedTimestamp(future)
		// The compact form, the processor's own, is no key either.
		compact := node
		compact.Status = agora.StatusError
		compact.AppendRecord(lrs, agora.RecordEncodingCompact).SetObservedTimestamp(future)
		report := node
		report.NodeName, report.ErrorMessage = "Injected", ""
		report.ID = agora.NodeExecutionID(exec, report.NodeName, report.StartedAt)
		report.Append(lrs, agora.EventNodeReported)
		return ld
	}
	for _, tc := range []struct{ name, key, org string }{{"own org", keyA, a.OrgID}, {"other org", keyB, a.OrgID}} {
		require.Equal(t, http.StatusOK, postLogs(t, c, tc.key, forge(tc.org)), tc.name)
	}
	// The forged records are stored, as ordinary logs with their claimed name.
	waitForCount(t, "SELECT count() FROM `"+db+"`.logs FINAL WHERE LogAttributes['"+agora.AttrSenderEventName+"'] != ''", 6)
	time.Sleep(2 * time.Second) // a flush interval and more: any folded change would be stored

	after, afterNodes := storedRun(t, db, a.OrgID, exec)
	assert.Equal(t, before.Status, after.Status)
	assert.Equal(t, before.TotalTokens, after.TotalTokens)
	byID := map[uuid.UUID]agora.NodeExecutionRow{}
	for _, n := range afterNodes {
		byID[n.NodeExecutionID] = n
	}
	for _, b := range beforeNodes {
		assert.Equal(t, b.ErrorMessage, byID[b.NodeExecutionID].ErrorMessage)
		assert.Equal(t, b.Status, byID[b.NodeExecutionID].Status)
	}
	attack(t, "forgery", "agora.execution record from a sender", after.Status == before.Status && after.TotalTokens == before.TotalTokens)
	attack(t, "forgery", "agora.node_execution record from a sender", byID[beforeNodes[0].NodeExecutionID].ErrorMessage != "forged")
	// The victim's own key may add a node report to its own execution (it
	// is the SDK's own record kind); another org's cannot reach it.
	assert.Len(t, afterNodes, len(beforeNodes)+1, "the victim's own report folded")
	var injected uint64
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM `"+db+"`.node_executions FINAL WHERE OrgId = ? AND NodeName = 'Injected'", a.OrgID).Scan(&injected))
	assert.Equal(t, uint64(1), injected, "only the victim's own report, not the other org's")
	attack(t, "forgery", "node report into another org's execution", injected == 1)
	var versions uint64
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM `"+db+"`.executions WHERE Version > now64() + INTERVAL 1 DAY").Scan(&versions))
	assert.Zero(t, versions, "versions come from the collector's clock")
	attack(t, "forgery", "a version in 2199 pinning a row", versions == 0)
}

// TestHostileNumbers: NaN, ±Inf, 2^63, 1e300 and negative values in every
// numeric field of both APIs. The Agora API refuses each such item with the
// field named and keeps the good ones; OTLP attributes out of bounds are
// ignored and counted. Nothing wraps, the state is journaled (a kill -9
// loses nothing of it), and the UI answers with a body.
func TestHostileNumbers(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	key, org := c.newKey(t, "numbers", 0)

	// OTLP: the agora_tracer run with poisoned numbers.
	trace := pcommon.TraceID{0xbe, 0xef, 1}
	td := otlpRun(trace)
	poisoned := 0
	for _, s := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		a := s.Attributes()
		switch {
		case strings.HasSuffix(s.Name(), ".flow"):
			a.PutDouble("total_duration_ms", 1e300)
			poisoned++
		case strings.HasSuffix(s.Name(), ".exec"):
			a.PutDouble("duration_ms", math.NaN())
			a.PutDouble("retry_count", math.Inf(1))
			poisoned += 2
		case s.Name() == "openai.chat":
			a.PutDouble("gen_ai.usage.prompt_tokens", math.Pow(2, 63))
			a.PutInt("gen_ai.usage.completion_tokens", -5)
			a.PutDouble("llm.usage.total_tokens", math.Inf(-1))
			a.PutDouble("gen_ai.usage.cost", math.Inf(1))
			poisoned += 4
		}
	}
	code, body := postHTTP(t, c, map[string]string{"X-API-Key": key}, td)
	require.Equal(t, http.StatusOK, code, body)

	// Agora API: a batch whose every item has one hostile number, and one good item.
	start := time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04:05")
	node := func(name, extra string) string {
		return fmt.Sprintf(`{"node_name": %q, "node_type": "T", "status": "success", "started_at": %q%s}`, name, start, extra)
	}
	hostile := []string{
		`, "total_tokens": 9223372036854775808`, `, "prompt_tokens": -1`, `, "completion_tokens": 1e300`,
		`, "retry_count": 1e19`, `, "exec_duration_ms": 1e300`, `, "prep_duration_ms": -3`, `, "post_duration_ms": 1e999`,
		`, "estimated_cost": 1e308`, `, "estimated_cost": -0.5`,
	}
	items := []string{node("Good", `, "total_tokens": 12, "estimated_cost": 0.25`)}
	for i, h := range hostile {
		items = append(items, node(fmt.Sprintf("Bad%d", i), h))
	}
	code, resp := c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/batch", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(fmt.Sprintf(`{"workflow_name": "nums", "events": [], "node_executions": [%s]}`, strings.Join(items, ", ")))}, key, "")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, 1.0, resp["node_executions_ingested"], "the good item is kept")
	assert.Equal(t, float64(len(hostile)), resp["node_executions_rejected"])
	errs := fmt.Sprint(resp["errors"])
	for i, field := range []string{"total_tokens", "prompt_tokens", "completion_tokens", "retry_count", "exec_duration_ms", "prep_duration_ms", "post_duration_ms", "estimated_cost", "estimated_cost"} {
		named := strings.Contains(errs, fmt.Sprintf("node_executions[%d].%s: must be", i+1, field))
		assert.True(t, named, "item %d names %s: %s", i+1, field, errs)
		attack(t, "numbers", "Agora API "+strings.ReplaceAll(hostile[i][2:], `"`, ""), named)
	}
	apiExec := resp["execution_id"].(string)

	// Stored: sane numbers only.
	exec := uuid.UUID(trace)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId = ? AND NodeCount = 4", 1, org.OrgID, exec)
	waitForCount(t, "SELECT count() FROM `"+db+"`.node_executions FINAL WHERE OrgId = ? AND ExecutionId = ?", 1, org.OrgID, uuid.MustParse(apiExec))
	row, nodes := storedRun(t, db, org.OrgID, exec)
	assert.Zero(t, row.TotalTokens, "no token count survived the poison")
	assert.Zero(t, row.EstimatedCost)
	for _, n := range nodes {
		for _, d := range []*float64{n.PrepDurationMs, n.ExecDurationMs, n.PostDurationMs} {
			assert.True(t, d == nil || *d >= 0 && *d <= agora.MaxDurationMs, "%s duration %v", n.NodeName, d)
		}
		assert.LessOrEqual(t, n.RetryCount, uint32(agora.MaxRetries))
	}
	var bad uint64
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND (TotalTokens < 0 OR NOT isFinite(EstimatedCost) OR DurationMs > ?)", org.OrgID, float64(agora.MaxDurationMs)).Scan(&bad))
	assert.Zero(t, bad)
	attack(t, "numbers", "OTLP NaN/Inf/2^63/1e300/negative attributes stored or wrapped", bad == 0 && row.TotalTokens == 0)

	// Counted.
	assert.Eventually(t, func() bool {
		_, m := getStatus("http://localhost:" + c.metricsPort + "/metrics")
		return strings.Contains(m, "otelcol_processor_execution_ignored_numbers") && strings.Contains(m, fmt.Sprintf("} %d", poisoned))
	}, 10*time.Second, 200*time.Millisecond, "ignored attributes are counted")

	// The UI answers with a body.
	code, detail := c.uiGet(t, key, "executions/"+exec.String())
	assert.Equal(t, http.StatusOK, code, "%v", detail)
	assert.NotEmpty(t, detail["execution"])
	attack(t, "numbers", "UI answer emptied by a hostile number", code == http.StatusOK && detail["execution"] != nil)

	// The state was journaled: after kill -9 it is restored.
	c.kill()
	c.launch(t)
	assert.Regexp(t, `execution state restored.*"executions": [1-9]`, c.log.String())
}

// TestKeysFileRobustness: a malformed edit of the keys file keeps the keys
// already loaded and shows in health and metrics until fixed; a rewrite by
// agoractl running as another user keeps the file's owner and mode, and the
// revocation it wrote applies.
func TestKeysFileRobustness(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	key, k := c.newKey(t, "files", 0)
	status := "http://" + c.health + "/status?verbose"

	good, err := os.ReadFile(c.keysFile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(c.keysFile, []byte("keys: [unterminated"), 0o600))
	assert.Eventually(t, func() bool {
		_, body := getStatus(status)
		return componentStatus(body, "extension:apikeyauth") == "StatusRecoverableError"
	}, 10*time.Second, 200*time.Millisecond, "health shows the keys file failing")
	code, _ := postHTTP(t, c, map[string]string{"X-API-Key": key}, oneSpan("svc", "", 1))
	assert.Equal(t, http.StatusOK, code, "the keys loaded before still work")
	_, m := getStatus("http://localhost:" + c.metricsPort + "/metrics")
	assert.Contains(t, m, "otelcol_apikeyauth_reload_failures")
	require.NoError(t, os.WriteFile(c.keysFile, good, 0o600))
	assert.Eventually(t, func() bool {
		_, body := getStatus(status)
		return componentStatus(body, "extension:apikeyauth") == "StatusOK"
	}, 10*time.Second, 200*time.Millisecond, "health clears once the file is fixed")

	if os.Getuid() != 0 {
		t.Log("not root: agoractl cannot be run as another user here; TestRewriteByAnotherUser (cmd/agoractl) covers the file's ownership")
		return
	}
	// The operator (nobody) may write the file through its group.
	dir := filepath.Dir(c.keysFile)
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755)) // t.TempDir's parent
	require.NoError(t, os.Chmod(dir, 0o777))
	require.NoError(t, os.Chown(c.keysFile, 1, 65534))
	require.NoError(t, os.Chmod(c.keysFile, 0o660))
	exe := filepath.Join(dir, "agoractl")
	bin, err := os.ReadFile(os.Getenv("AGORACTL_BIN"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(exe, bin, 0o755))
	cmd := exec.Command(exe, "keys", "revoke", k.ID, "--keys-file", c.keysFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	st, err := os.Stat(c.keysFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o660), st.Mode().Perm(), "mode kept")
	assert.Equal(t, uint32(65534), st.Sys().(*syscall.Stat_t).Gid, "group kept")
	assert.Eventually(t, func() bool {
		code, _ := postHTTP(t, c, map[string]string{"X-API-Key": key}, oneSpan("svc", "", 2))
		return code == http.StatusUnauthorized
	}, 10*time.Second, 200*time.Millisecond, "the revocation written by another user applies")
	attack(t, "keysfile", "revoked key still accepted after a rewrite by another user", true)
}

// TestEvictionAttack: org B floods new trace ids past every state limit
// while org A's execution is in flight; A's final record is complete (its
// API start, every node, its status): B only pushes out its own.
func TestEvictionAttack(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollectorWith(t, options{db: db, args: []string{
		"--set=processors::execution::max_executions=100",
		"--set=processors::execution::max_executions_per_org=50",
	}})
	keyA, a := c.newKey(t, "victim", 0)
	keyB, b := c.newKey(t, "flooder", 0)

	code, resp := c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/start", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(`{"workflow_name": "victim-wf", "project_name": "p", "input_data": {"q": 1}}`)}, keyA, "")
	require.Equal(t, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)
	now := time.Now().UTC()
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/" + exec + "/nodes", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(fmt.Sprintf(`{"node_name": "First", "node_type": "T", "status": "success", "started_at": %q, "total_tokens": 7}`, now.Format("2006-01-02T15:04:05.000000")))}, keyA, exec)
	require.Equal(t, http.StatusOK, code, resp)

	for i := range 300 { // six times the per-org limit, three times the global one
		tr := otlpRun(pcommon.TraceID{0xf1, byte(i >> 8), byte(i)})
		code, body := postHTTP(t, c, map[string]string{"X-API-Key": keyB}, tr)
		require.Equal(t, http.StatusOK, code, body)
	}
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/" + exec + "/nodes", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(fmt.Sprintf(`{"node_name": "Second", "node_type": "T", "status": "success", "started_at": %q, "total_tokens": 5}`, now.Add(time.Second).Format("2006-01-02T15:04:05.000000")))}, keyA, exec)
	require.Equal(t, http.StatusOK, code, resp)
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/" + exec + "/complete", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(`{"status": "success", "output_data": {"a": 2}}`)}, keyA, exec)
	require.Equal(t, http.StatusOK, code, resp)

	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId = ? AND Status = 'success'", 1, a.OrgID, uuid.MustParse(exec))
	row, nodes := storedRun(t, db, a.OrgID, uuid.MustParse(exec))
	complete := row.NodeCount == 2 && row.TotalTokens == 12 && row.WorkflowName == "victim-wf" && row.Input == `{"q":1}` && len(nodes) == 2
	assert.True(t, complete, "A's record is complete: %+v", row)
	attack(t, "tenancy", "another org's flood evicts an in-flight execution", complete)
	var flooded uint64
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ?", b.OrgID).Scan(&flooded))
	assert.Equal(t, uint64(300), flooded, "B's own executions are all recorded too (spilled, not dropped)")
}
