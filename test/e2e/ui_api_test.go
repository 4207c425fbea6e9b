//go:build integration

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// uiGet calls the query API with a key and decodes the JSON answer.
func (c *collector) uiGet(t testing.TB, key, path string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+c.ui+"/api/"+path, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	return do(t, req)
}

// seedRun starts a run of workflow wf for a key through the Agora API, with
// n nodes, and completes it with status (unless "running").
func (c *collector) seedRun(t testing.TB, key, wf, status string, n int) string {
	t.Helper()
	return c.seedRunInput(t, key, wf, status, n, fmt.Sprintf(`{"q": %q}`, strings.Repeat("x", 10)))
}

// seedRunInput is seedRun with the run's input_data (JSON).
func (c *collector) seedRunInput(t testing.TB, key, wf, status string, n int, input string) string {
	t.Helper()
	code, resp := c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/start", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(fmt.Sprintf(`{"workflow_name": %q, "project_name": "p", "input_data": %s}`, wf, input))}, key, "")
	require.Equal(t, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)
	var nodes []string
	for i := range n {
		st := "success"
		if status == "error" && i == n-1 {
			st = "error"
		}
		ts := time.Now().UTC().Add(time.Duration(i) * 100 * time.Millisecond)
		nodes = append(nodes, fmt.Sprintf(`{"node_name": "N%d", "node_type": "T", "status": %q, "started_at": %q, "completed_at": %q, "prep_duration_ms": 10, "exec_duration_ms": 60, "post_duration_ms": 10, "retry_count": %d, "error_message": %s}`,
			i, st, ts.Format("2006-01-02T15:04:05.000000"), ts.Add(80*time.Millisecond).Format("2006-01-02T15:04:05.000000"), i%2, map[bool]string{true: `"failed hard"`, false: "null"}[st == "error"]))
	}
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/batch", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(fmt.Sprintf(`{"execution_id": %q, "workflow_name": %q, "project_name": "p", "events": [{"event_type": "e", "timestamp": %q, "data": {"k": 1}}], "node_executions": [%s]}`,
			exec, wf, time.Now().UTC().Format("2006-01-02T15:04:05"), strings.Join(nodes, ", ")))}, key, exec)
	require.Equal(t, http.StatusOK, code, resp)
	if status != "running" {
		code, _ = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/" + exec + "/complete", Headers: map[string]string{"Content-Type": "application/json"},
			Body: []byte(fmt.Sprintf(`{"status": %q, "output_data": {"a": "b"}}`, status))}, key, exec)
		require.Equal(t, http.StatusOK, code)
	}
	return exec
}

func TestQueryAPI(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	keyA, orgA := c.newKey(t, "org-a", 0)
	keyB, _ := c.newKey(t, "org-b", 0)

	var aRuns []string
	for i := range 5 {
		aRuns = append(aRuns, c.seedRun(t, keyA, "wf-a", []string{"success", "error", "success", "running", "success"}[i], 3))
	}
	bRun := c.seedRun(t, keyB, "wf-b", "success", 2)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE NodeCount > 0", 6)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND Status = 'success'", 3, orgA.OrgID)

	// list: org A sees its 5, never B's
	code, list := c.uiGet(t, keyA, "executions")
	require.Equal(t, http.StatusOK, code, list)
	assert.Equal(t, 5.0, list["total"])
	assert.Equal(t, map[string]any{"running": 1.0, "success": 3.0, "error": 1.0, "timeout": 0.0}, list["counts"])
	for _, e := range list["executions"].([]any) {
		assert.NotEqual(t, bRun, e.(map[string]any)["execution_id"])
		assert.Equal(t, "wf-a", e.(map[string]any)["workflow_name"])
	}
	// filters and pagination
	_, errs := c.uiGet(t, keyA, "executions?status=error")
	require.Len(t, errs["executions"].([]any), 1)
	assert.Equal(t, aRuns[1], errs["executions"].([]any)[0].(map[string]any)["execution_id"])
	assert.Equal(t, "error", errs["executions"].([]any)[0].(map[string]any)["status"])
	_, page1 := c.uiGet(t, keyA, "executions?limit=2&offset=0&sort=started_at&order=asc")
	_, page2 := c.uiGet(t, keyA, "executions?limit=2&offset=2&sort=started_at&order=asc")
	require.Len(t, page1["executions"].([]any), 2)
	require.Len(t, page2["executions"].([]any), 2)
	assert.Equal(t, aRuns[0], page1["executions"].([]any)[0].(map[string]any)["execution_id"])
	assert.Equal(t, aRuns[2], page2["executions"].([]any)[0].(map[string]any)["execution_id"])
	_, none := c.uiGet(t, keyA, "executions?workflow=wf-b")
	assert.Empty(t, none["executions"], "a filter naming another org's workflow finds nothing")
	_, since := c.uiGet(t, keyA, "executions?from="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)))
	assert.Empty(t, since["executions"])

	// detail
	code, detail := c.uiGet(t, keyA, "executions/"+aRuns[1])
	require.Equal(t, http.StatusOK, code, detail)
	ex := detail["execution"].(map[string]any)
	assert.Equal(t, "error", ex["status"])
	assert.Equal(t, 3.0, ex["node_count"])
	assert.JSONEq(t, `{"q":"xxxxxxxxxx"}`, ex["input"].(string))
	nodes := detail["nodes"].([]any)
	require.Len(t, nodes, 3)
	last := nodes[2].(map[string]any)
	assert.Equal(t, "error", last["status"])
	assert.Equal(t, "failed hard", last["error_message"])
	assert.Equal(t, 60.0, last["exec_duration_ms"])
	assert.Len(t, detail["events"], 1)
	code, spans := c.uiGet(t, keyA, "executions/"+aRuns[1]+"/spans")
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, spans["spans"], "the runs sent no spans")
	code, _ = c.uiGet(t, keyA, "executions/"+aRuns[1]+"/snapshots")
	require.Equal(t, http.StatusOK, code)

	// tenancy: B's execution is not found with A's key, and the reverse
	code, _ = c.uiGet(t, keyA, "executions/"+bRun)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = c.uiGet(t, keyB, "executions/"+aRuns[0])
	assert.Equal(t, http.StatusNotFound, code)
	_, bList := c.uiGet(t, keyB, "executions")
	assert.Equal(t, 1.0, bList["total"])

	// workflows and metrics
	_, wfs := c.uiGet(t, keyA, "workflows")
	require.Len(t, wfs["workflows"], 1)
	w := wfs["workflows"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{"wf-a", 5.0, 3.0, 1.0, 1.0}, []any{w["workflow_name"], w["executions"], w["success"], w["error"], w["running"]})
	_, m := c.uiGet(t, keyA, "metrics?bucket=60")
	assert.InDelta(t, 0.75, m["success_rate"], 1e-9, "3 successes of 4 finished")
	assert.Equal(t, 5.0, m["summary"].(map[string]any)["executions"])
	assert.NotEmpty(t, m["series"])

	// errors are JSON and name the parameter; no key is 401
	code, bad := c.uiGet(t, keyA, "executions?status=done")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "status: must be one of running, success, error, timeout", bad["detail"])
	code, bad = c.uiGet(t, keyA, "executions?limit=100000")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, bad["detail"], "limit:")
	code, _ = c.uiGet(t, "", "executions")
	assert.Equal(t, http.StatusUnauthorized, code)

	// the page itself loads without a key and is served from the binary
	resp, err := http.Get("http://" + c.ui + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), `<script src="/app.js"`)
}

func TestSettingsAPI(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	keyA, _ := c.newKey(t, "org-a", 0)
	keyB, orgB := c.newKey(t, "org-b", 0)

	req, _ := http.NewRequest(http.MethodPost, "http://"+c.ui+"/api/keys", strings.NewReader(`{"name": "ci", "expires_in_days": 30}`))
	req.Header.Set("X-API-Key", keyA)
	code, created := do(t, req)
	require.Equal(t, http.StatusOK, code, created)
	newKey := created["key"].(string)
	c.waitKeyActive(t, &apikey.Key{Scopes: apikey.DefaultScopes}, newKey)

	_, keys := c.uiGet(t, keyA, "keys")
	names := map[string]bool{}
	for _, k := range keys["keys"].([]any) {
		km := k.(map[string]any)
		names[km["name"].(string)] = true
		assert.NotContains(t, fmt.Sprint(km), newKey[len("agora_")+6:], "no secrets listed")
	}
	assert.Equal(t, map[string]bool{"e2e": true, "ci": true}, names, "only org A's keys")

	// B cannot revoke A's key; A can
	req, _ = http.NewRequest(http.MethodPost, "http://"+c.ui+"/api/keys/"+created["id"].(string)+"/revoke", nil)
	req.Header.Set("X-API-Key", keyB)
	code, _ = do(t, req)
	assert.Equal(t, http.StatusNotFound, code)
	req, _ = http.NewRequest(http.MethodPost, "http://"+c.ui+"/api/keys/"+created["id"].(string)+"/revoke", nil)
	req.Header.Set("X-API-Key", keyA)
	code, _ = do(t, req)
	assert.Equal(t, http.StatusOK, code)
	assert.Eventually(t, func() bool { code, _ := c.uiGet(t, newKey, "me"); return code == http.StatusUnauthorized }, 10*time.Second, 100*time.Millisecond)
	_, bKeys := c.uiGet(t, keyB, "keys")
	require.Len(t, bKeys["keys"], 1)
	assert.Equal(t, orgB.ID, bKeys["keys"].([]any)[0].(map[string]any)["id"])
}

// do sends a prepared request and decodes the JSON answer.
func do(t testing.TB, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "%s", b)
	return resp.StatusCode, m
}
