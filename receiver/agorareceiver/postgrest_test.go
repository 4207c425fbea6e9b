package agorareceiver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// pg sends a PostgREST request with the key as the anon key (apikey and
// Bearer, as supabase-py does) and decodes the answer.
func (s *server) pg(t *testing.T, key, method, path, body string, headers ...string) (int, any) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+"/rest/v1/"+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("apikey", key)
	req.Header.Set("Authorization", "Bearer "+key)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var v any
	_ = jsonDecode(resp, &v)
	return resp.StatusCode, v
}

// TestPostgRESTErrors: what the endpoint does not serve is refused in
// PostgREST's shape and codes, never a 500 or a silent drop.
func TestPostgRESTErrors(t *testing.T) {
	s := startServer(t, nil)
	for name, tc := range map[string]struct {
		method, path, body string
		status             int
		code, message      string
	}{
		"unknown table":  {http.MethodGet, "secrets?select=*", "", 404, "PGRST205", "Could not find the table 'public.secrets' in the schema cache"},
		"unknown column": {http.MethodPost, "executions", `{"workflow_id": "6f1f7b3e-7c39-4c9e-a7a2-2f6f0e9d1c11", "sdk_version": "1"}`, 400, "PGRST204", "Could not find the 'sdk_version' column of 'executions' in the schema cache"},
		"filter":         {http.MethodGet, "projects?name=like.x%25", "", 400, "PGRST100", "failed to parse filter (name=like.x%)"},
		"no such column": {http.MethodGet, "projects?secret=eq.1", "", 400, "42703", "column projects.secret does not exist"},
		"method":         {http.MethodDelete, "executions?id=eq.1", "", 405, "PGRST117", "Unsupported HTTP method: DELETE"},
		"bad json":       {http.MethodPost, "projects", `{"name": `, 400, "PGRST102", "Empty or invalid json"},
		"bad value":      {http.MethodPost, "executions", `{"workflow_id": "nope"}`, 400, "22P02", "workflow_id: must be a UUID"},
		"other org's execution": {http.MethodPost, "node_executions", `{"execution_id": "01a2178a-dbeb-8de4-bd02-921b1cfe9318", "node_id": "6f1f7b3e-7c39-4c9e-a7a2-2f6f0e9d1c11"}`,
			409, "23503", `insert or update on table "node_executions" violates foreign key constraint "node_executions_execution_id_fkey"`},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := s.pg(t, s.keyA, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, code)
			m, ok := body.(map[string]any)
			require.True(t, ok, "%v", body)
			assert.Equal(t, tc.code, m["code"])
			assert.Equal(t, tc.message, m["message"])
			assert.Contains(t, m, "details")
			assert.Contains(t, m, "hint")
		})
	}
	assert.Zero(t, s.logs.LogRecordCount(), "nothing refused was passed on")
}

// TestPostgRESTIDsAreTheCollectors: lookups answer the collector's derived
// ids, the same as the /telemetry path's; an insert retried with the same
// row starts no second execution.
func TestPostgRESTIDsAreTheCollectors(t *testing.T) {
	s := startServer(t, nil)
	_, orgs := s.pg(t, s.keyA, http.MethodGet, "organizations?select=id&limit=1", "")
	org := orgs.([]any)[0].(map[string]any)["id"].(string)
	assert.Equal(t, s.orgA.OrgID, org, "the key's org")
	_, projects := s.pg(t, s.keyA, http.MethodGet, "projects?select=id&organization_id=eq."+org+"&name=eq.p&limit=1", "")
	project := projects.([]any)[0].(map[string]any)["id"].(string)
	assert.Equal(t, agora.ProjectID(org, "p").String(), project)
	_, none := s.pg(t, s.keyB, http.MethodGet, "projects?select=id&organization_id=eq."+org+"&name=eq.p", "")
	assert.Equal(t, []any{}, none, "another org's projects are not visible")

	row := `{"workflow_id": "` + agora.WorkflowID(agora.ProjectID(org, "p"), "w").String() + `", "status": "running", "started_at": "2026-11-26T10:00:00.000000+00:00"}`
	code, first := s.pg(t, s.keyA, http.MethodPost, "executions", row, "Prefer", "return=representation")
	require.Equal(t, http.StatusCreated, code, "%v", first)
	_, again := s.pg(t, s.keyA, http.MethodPost, "executions", row, "Prefer", "return=representation")
	assert.Equal(t, first.([]any)[0].(map[string]any)["id"], again.([]any)[0].(map[string]any)["id"], "a retried insert is the same execution")
	code, minimal := s.pg(t, s.keyA, http.MethodPost, "executions", row)
	assert.Equal(t, http.StatusCreated, code)
	assert.Nil(t, minimal, "return=minimal: no body")
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
