//go:build integration

package e2e

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// sendSnapshots reports that exec's node N0 changed the shared store: a
// before and an after snapshot.
func (c *collector) sendSnapshots(t testing.TB, key, exec, wf string) {
	t.Helper()
	now := time.Now().UTC()
	code, resp := c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/batch", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(fmt.Sprintf(`{"execution_id": %q, "workflow_name": %q, "project_name": "p", "events": [], "shared_state_snapshots": [
			{"node_name": "N0", "phase": "before", "timestamp": %q, "state": {"question": "Weather in Zanzibar", "step": 1}},
			{"node_name": "N0", "phase": "after", "timestamp": %q, "state": {"question": "Weather in Zanzibar", "step": 2, "forecast": "rain"}}]}`,
			exec, wf, now.Format(time.RFC3339Nano), now.Add(time.Second).Format(time.RFC3339Nano)))}, key, exec)
	require.Equal(t, http.StatusOK, code, resp)
	require.Equal(t, 2.0, resp["shared_state_snapshots_ingested"], resp)
}

// uiRaw GETs an API path and returns the status, headers and raw body.
func (c *collector) uiRaw(t testing.TB, key, path string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+c.ui+"/api/"+path, nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

// ids are the execution ids of a list answer, sorted.
func ids(resp map[string]any) []string {
	var out []string
	for _, e := range resp["executions"].([]any) {
		out = append(out, e.(map[string]any)["execution_id"].(string))
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string { sort.Strings(s); return s }

// TestSearchExportSessionsAPI: search over errors, inputs and outputs,
// both exports, sessions by session and by user, and snapshot diffs, for
// two orgs that share words and even a session id: nothing crosses.
func TestSearchExportSessionsAPI(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	keyA, orgA := c.newKey(t, "acme", 0)
	keyB, _ := c.newKey(t, "globex", 0)

	r1 := c.seedRunInput(t, keyA, "wf-find", "error", 2, `{"question": "Weather in Zanzibar", "session_id": "conv-1", "user_id": "alice"}`)
	r2 := c.seedRunInput(t, keyA, "wf-find", "success", 2, `{"question": "Capital of Peru", "session_id": "conv-1", "user_id": "alice"}`)
	r3 := c.seedRunInput(t, keyA, "wf-other", "success", 1, `{"question": "zanzibar again", "session_id": "conv/2", "user_id": "bob"}`)
	rb := c.seedRunInput(t, keyB, "wf-find", "error", 2, `{"question": "Zanzibar secrets of globex", "session_id": "conv-1", "user_id": "alice"}`)
	c.sendSnapshots(t, keyA, r1, "wf-find")
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE Status != 'running' AND NodeCount > 0", 4)
	waitForCount(t, "SELECT count() FROM `"+db+"`.logs FINAL WHERE EventName = 'agora.state.snapshot'", 2)
	waitForCount(t, "SELECT count() FROM `"+db+"`.node_executions FINAL", 7)

	search := func(key, q string, extra ...string) (int, map[string]any) {
		return c.uiGet(t, key, "executions?"+allTime+"&q="+url.QueryEscape(q)+strings.Join(extra, ""))
	}
	for _, tc := range []struct {
		key, q string
		extra  []string
		want   []string
	}{
		{keyA, "zanzibar", nil, sorted(r1, r3)},       // inputs, case folded; not globex's
		{keyA, "ZANZIBAR weather", nil, []string{r1}}, // every word, in one text
		{keyA, "failed hard", nil, []string{r1}},      // a node's error
		{keyA, "peru", []string{"&workflow=wf-find"}, []string{r2}},
		{keyA, "peru", []string{"&workflow=wf-other"}, nil},
		{keyA, "zanzibar", []string{"&status=error"}, []string{r1}},
		{keyA, "globex", nil, nil}, // only in globex's text
		{keyB, "zanzibar", nil, []string{rb}},
		{keyB, "failed hard", nil, []string{rb}},
	} {
		code, resp := search(tc.key, tc.q, tc.extra...)
		require.Equal(t, http.StatusOK, code, resp)
		assert.Equal(t, tc.want, ids(resp), "q=%s %v", tc.q, tc.extra)
		assert.Equal(t, float64(len(tc.want)), resp["total"], "q=%s %v: counts follow the search", tc.q, tc.extra)
	}
	// Counts cover every status; pages follow the list's order.
	code, resp := search(keyA, "zanzibar", "&status=error")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, map[string]any{"success": 1.0, "error": 1.0, "running": 0.0, "timeout": 0.0}, resp["counts"])
	var pages []string
	for offset := range 3 {
		code, resp = search(keyA, "zanzibar", fmt.Sprintf("&limit=1&offset=%d", offset))
		require.Equal(t, http.StatusOK, code, resp)
		assert.Equal(t, 2.0, resp["total"])
		pages = append(pages, ids(resp)...)
	}
	assert.Equal(t, []string{r3, r1}, pages, "newest first, one a page, nothing past the end")

	code, resp = search(keyA, " -- ")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, resp["detail"], "q: ")

	// Export the searched list: CSV and JSON, as attachments.
	code, h, body := c.uiRaw(t, keyA, "executions/export?format=csv&"+allTime+"&q=zanzibar")
	require.Equal(t, http.StatusOK, code, string(body))
	assert.Contains(t, h.Get("Content-Disposition"), `attachment; filename="executions-`)
	assert.Equal(t, "text/csv; charset=utf-8", h.Get("Content-Type"))
	records, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 3, string(body))
	assert.Equal(t, "execution_id", records[0][0])
	assert.Equal(t, sorted(r1, r3), sorted(records[1][0], records[2][0]))
	assert.NotContains(t, string(body), rb)
	code, _, body = c.uiRaw(t, keyA, "executions/export?format=json&"+allTime+"&status=error")
	require.Equal(t, http.StatusOK, code, string(body))
	var exported map[string]any
	require.NoError(t, json.Unmarshal(body, &exported))
	assert.Equal(t, []string{r1}, ids(exported))
	code, resp = c.uiGet(t, keyA, "executions/export?format=xml")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, resp["detail"], "format: ")

	// One execution, whole.
	code, h, body = c.uiRaw(t, keyA, "executions/"+r1+"/export")
	require.Equal(t, http.StatusOK, code, string(body))
	assert.Contains(t, h.Get("Content-Disposition"), `filename="execution-`+r1+`.json"`)
	var one map[string]any
	require.NoError(t, json.Unmarshal(body, &one))
	assert.Equal(t, r1, one["execution"].(map[string]any)["execution_id"])
	assert.Equal(t, "conv-1", one["execution"].(map[string]any)["session_id"])
	assert.Equal(t, "alice", one["execution"].(map[string]any)["user_id"])
	assert.Len(t, one["nodes"], 2)
	assert.Len(t, one["events"], 1)
	assert.Len(t, one["snapshots"], 2)
	assert.Contains(t, one, "spans")
	code, _, _ = c.uiRaw(t, keyA, "executions/"+rb+"/export")
	assert.Equal(t, http.StatusNotFound, code, "another org's execution is not found")

	// Snapshot diffs: what N0 changed.
	code, resp = c.uiGet(t, keyA, "executions/"+r1+"/snapshots")
	require.Equal(t, http.StatusOK, code, resp)
	diffs := resp["diffs"].([]any)
	require.Len(t, diffs, 1, resp)
	d := diffs[0].(map[string]any)
	assert.Equal(t, "N0", d["node"])
	assert.Equal(t, []any{
		map[string]any{"path": "forecast", "change": "added", "after": "rain"},
		map[string]any{"path": "step", "change": "changed", "before": 1.0, "after": 2.0},
	}, d["changes"])
	code, resp = c.uiGet(t, keyB, "executions/"+r1+"/snapshots")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Empty(t, resp["snapshots"])
	assert.Empty(t, resp["diffs"])

	// Sessions: acme's conv-1 is r1 and r2, never globex's conv-1.
	code, resp = c.uiGet(t, keyA, "sessions?"+allTime)
	require.Equal(t, http.StatusOK, code, resp)
	sessions := map[string]map[string]any{}
	for _, s := range resp["sessions"].([]any) {
		s := s.(map[string]any)
		sessions[s["id"].(string)] = s
	}
	require.Len(t, sessions, 2, resp)
	assert.Equal(t, 2.0, sessions["conv-1"]["runs"])
	assert.Equal(t, 1.0, sessions["conv-1"]["errors"])
	assert.Equal(t, []any{"alice"}, sessions["conv-1"]["users"])
	assert.Equal(t, []any{"wf-find"}, sessions["conv-1"]["workflows"])
	assert.Equal(t, 1.0, sessions["conv/2"]["runs"])
	code, resp = c.uiGet(t, keyA, "sessions/conv-1")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, sorted(r1, r2), ids(resp))
	runs := resp["executions"].([]any)
	assert.LessOrEqual(t, runs[0].(map[string]any)["started_at"], runs[1].(map[string]any)["started_at"], "in order")
	assert.Equal(t, 2.0, resp["session"].(map[string]any)["runs"])
	code, resp = c.uiGet(t, keyA, "sessions/"+url.PathEscape("conv/2"))
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, []string{r3}, ids(resp))
	code, resp = c.uiGet(t, keyB, "sessions/conv-1")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, []string{rb}, ids(resp))
	code, _ = c.uiGet(t, keyB, "sessions/"+url.PathEscape("conv/2"))
	assert.Equal(t, http.StatusNotFound, code, "acme's session is not globex's")
	code, resp = c.uiGet(t, keyA, "sessions?by=user&"+allTime)
	require.Equal(t, http.StatusOK, code, resp)
	users := map[string]float64{}
	for _, s := range resp["sessions"].([]any) {
		users[s.(map[string]any)["id"].(string)] = s.(map[string]any)["runs"].(float64)
	}
	assert.Equal(t, map[string]float64{"alice": 2, "bob": 1}, users)
	code, resp = c.uiGet(t, keyA, "sessions/alice?by=user")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, sorted(r1, r2), ids(resp))
	code, resp = c.uiGet(t, keyA, "sessions?by=team")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, resp["detail"], "by: ")

	// More runs found than the list reads by id (2000): the list and its
	// counts run the search themselves.
	require.NoError(t, conn.Exec(t.Context(), "INSERT INTO `"+db+"`.executions (OrgId, ExecutionId, WorkflowName, Status, StartedAt, LastSeen, Version, Input) "+
		"SELECT ?, generateUUIDv4(), 'wf-many', if(number % 2 = 0, 'success', 'error'), now64(6) - toIntervalSecond(number), now64(6), now64(9), 'many marker' FROM numbers(2001)", orgA.OrgID))
	code, resp = search(keyA, "marker", "&limit=10")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Len(t, resp["executions"], 10)
	assert.Equal(t, 2001.0, resp["total"])
	assert.Equal(t, map[string]any{"success": 1001.0, "error": 1000.0, "running": 0.0, "timeout": 0.0}, resp["counts"])
	code, resp = search(keyB, "marker")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Empty(t, resp["executions"], "acme's runs are not globex's")
}

// sseEvent is one server-sent event.
type sseEvent struct {
	kind string
	data map[string]any
}

// openLive opens /api/live and returns its events; the stream closes with
// the test or with stop.
func (c *collector) openLive(t testing.TB, key, query string) (events <-chan sseEvent, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.ui+"/api/live"+query, nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	}
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	ch := make(chan sseEvent, 1000)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data)
			case line == "" && ev.kind != "":
				ch <- ev
				ev = sseEvent{}
			}
		}
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
		}
	}
	t.Cleanup(stop)
	return ch, stop
}

// waitEvent waits for an event that matches.
func waitEvent(t testing.TB, ch <-chan sseEvent, within time.Duration, match func(sseEvent) bool) (sseEvent, bool) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return sseEvent{}, false
			}
			if match(ev) {
				return ev, true
			}
		case <-deadline:
			return sseEvent{}, false
		}
	}
}

// TestLiveTail: each org's stream shows its new executions, node
// executions and spans as they arrive (past the server's write timeout)
// and nothing of the other org's; the node-only and LLM-only filters hold; streams are bounded per org without blocking
// another org, and closing them frees their places.
func TestLiveTail(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	// A server write timeout far shorter than a stream: streams outlive it.
	c := startCollectorWith(t, options{db: db, args: []string{"--config=yaml:extensions::agoraui::http::write_timeout: 1s"}})
	keyA, _ := c.newKey(t, "acme", 0)
	keyB, _ := c.newKey(t, "globex", 0)

	liveA, _ := c.openLive(t, keyA, "")
	nodesA, _ := c.openLive(t, keyA, "?only=node")
	liveB, _ := c.openLive(t, keyB, "")
	time.Sleep(2 * time.Second)

	sent := time.Now()
	execA := c.seedRun(t, keyA, "wf-live", "success", 2)
	ev, ok := waitEvent(t, liveA, 15*time.Second, func(ev sseEvent) bool { return ev.kind == "execution" && ev.data["execution_id"] == execA })
	require.True(t, ok, "acme's stream shows its new execution")
	t.Logf("first execution event %s after the SDK's start call", time.Since(sent).Round(time.Millisecond))
	assert.Equal(t, "wf-live", ev.data["workflow_name"])
	_, ok = waitEvent(t, liveA, 15*time.Second, func(ev sseEvent) bool { return ev.kind == "node" && ev.data["execution_id"] == execA })
	assert.True(t, ok, "and its node executions")
	ev, ok = waitEvent(t, nodesA, 15*time.Second, func(ev sseEvent) bool { return ev.kind != "node" || ev.data["execution_id"] == execA })
	require.True(t, ok)
	assert.Equal(t, "node", ev.kind, "only=node carries node executions only")

	// OTLP spans arrive too; only=llm carries LLM calls only.
	llmA, _ := c.openLive(t, keyA, "?only=llm")
	c.sendLLMSpan(t, keyA, "0af7651916cd43dd8448eb211c80319c")
	ev, ok = waitEvent(t, liveA, 15*time.Second, func(ev sseEvent) bool { return ev.kind == "span" })
	require.True(t, ok, "acme's stream shows the span")
	assert.Equal(t, "chat gpt-4o", ev.data["name"])
	assert.Equal(t, true, ev.data["llm"])
	assert.Equal(t, "gpt-4o", ev.data["model"])
	assert.Equal(t, 15.0, ev.data["total_tokens"])
	ev, ok = waitEvent(t, llmA, 15*time.Second, func(sseEvent) bool { return true })
	require.True(t, ok)
	assert.Equal(t, "span", ev.kind, "only=llm carries LLM calls only")

	execB := c.seedRun(t, keyB, "wf-live-b", "success", 1)
	_, ok = waitEvent(t, liveB, 15*time.Second, func(ev sseEvent) bool { return ev.kind == "execution" && ev.data["execution_id"] == execB })
	require.True(t, ok, "globex's stream shows globex's execution")
	// By now acme's stream had several polls: none of them carried globex's run.
	_, crossed := waitEvent(t, liveA, 3*time.Second, func(ev sseEvent) bool { return ev.data["execution_id"] == execB })
	assert.False(t, crossed, "acme's stream never shows globex's execution")
	_, crossed = waitEvent(t, liveB, time.Second, func(ev sseEvent) bool { return ev.data["execution_id"] == execA })
	assert.False(t, crossed, "globex's stream never shows acme's execution")

	code, resp := c.uiGet(t, keyA, "live?only=everything")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, resp["detail"], "only: ")
	ingest, _ := c.newKey(t, "acme", 0, "ingest")
	code, _ = c.uiGet(t, ingest, "live")
	assert.Equal(t, http.StatusForbidden, code, "an ingest key cannot read")

	// A revoked key's stream ends (checked every 10 s; the key file is
	// reloaded within seconds).
	reader, rk := c.newKey(t, "acme", 0, apikey.ScopeRead)
	readerLive, _ := c.openLive(t, reader, "")
	code, resp = c.uiCall(t, keyA, http.MethodPost, "keys/"+rk.ID+"/revoke", "")
	require.Equal(t, http.StatusOK, code, resp)
	ended := false
	for deadline := time.After(30 * time.Second); !ended; {
		select {
		case _, open := <-readerLive:
			ended = !open
		case <-deadline:
			t.Fatal("the revoked key's stream is still open")
		}
	}

	// Bounds: ten streams per org (the default); the eleventh is refused
	// with a JSON error, another org still gets its own.
	keyC, _ := c.newKey(t, "initech", 0)
	var stops []func()
	for range 10 {
		_, stop := c.openLive(t, keyC, "")
		stops = append(stops, stop)
	}
	code, resp = c.uiGet(t, keyC, "live")
	assert.Equal(t, http.StatusTooManyRequests, code)
	assert.Contains(t, resp["detail"], "per organization")
	_, stopD := c.openLive(t, keyA, "?only=execution")
	stopD()
	// Closing them frees every place.
	for _, stop := range stops {
		stop()
	}
	require.Eventually(t, func() bool {
		var cancels []context.CancelFunc
		defer func() {
			for _, cancel := range cancels {
				cancel()
			}
		}()
		for range 10 {
			ctx, cancel := context.WithCancel(context.Background())
			cancels = append(cancels, cancel)
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.ui+"/api/live", nil)
			req.Header.Set("X-API-Key", keyC)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return false
			}
			if resp.StatusCode != http.StatusOK {
				resp.Body.Close()
				return false
			}
		}
		return true
	}, 10*time.Second, 300*time.Millisecond, "closed streams' places are free again")
}

// sendLLMSpan sends one LLM-call span (OTel GenAI conventions) started now.
func (c *collector) sendLLMSpan(t testing.TB, key, traceID string) {
	t.Helper()
	start := time.Now().UnixNano()
	body := fmt.Sprintf(`{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "live-test"}}]},
		"scopeSpans": [{"spans": [{"traceId": %q, "spanId": "b7ad6b7169203331", "name": "chat gpt-4o", "kind": 3,
		"startTimeUnixNano": "%d", "endTimeUnixNano": "%d", "attributes": [
			{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
			{"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
			{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "10"}},
			{"key": "gen_ai.usage.output_tokens", "value": {"intValue": "5"}}]}]}]}]}`, traceID, start, start+int64(300*time.Millisecond))
	req, err := http.NewRequest(http.MethodPost, "http://"+c.http+"/v1/traces", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(b))
}
