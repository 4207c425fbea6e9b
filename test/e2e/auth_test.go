//go:build integration

package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// oneSpan is a request with one span of service svc; forgedOrg, when set,
// is what the sender claims as its org.
func oneSpan(svc, forgedOrg string, i int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", svc)
	if forgedOrg != "" {
		rs.Resource().Attributes().PutStr("agora.org.id", forgedOrg)
		rs.Resource().Attributes().PutStr("agora.org.name", "forged")
	}
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("op")
	s.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, byte(i >> 8), byte(i)})
	s.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, byte(i >> 8), byte(i)})
	now := time.Now()
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
	return td
}

// postHTTP sends OTLP/HTTP protobuf with the given headers.
func postHTTP(t testing.TB, c *collector, headers map[string]string, td ptrace.Traces) (int, string) {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, "http://"+c.http+"/v1/traces", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// exportGRPC sends OTLP/gRPC with the given metadata.
func exportGRPC(t testing.TB, c *collector, md map[string]string, td ptrace.Traces) error {
	t.Helper()
	conn, err := grpc.NewClient(c.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), metadata.New(md)), 10*time.Second)
	defer cancel()
	_, err = ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
	return err
}

func TestOTLPAuth(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	valid, _ := c.newKey(t, "acme", 0)
	revoked, rk := c.newKey(t, "acme", 0)
	_, err := apikey.Update(c.keysFile, func(f *apikey.File) error { return f.Revoke(rk.ID, time.Now()) })
	require.NoError(t, err)
	expired, _ := c.newKey(t, "acme", time.Millisecond)
	unknown, _ := apikey.Generate()
	// A key created after the revocation: once it is accepted, the reload
	// that carries the revocation has happened too.
	c.newKey(t, "acme", 0)

	cases := []struct {
		name    string
		headers map[string]string
		reason  string // "" = accepted
	}{
		{"valid X-API-Key", map[string]string{"X-API-Key": valid}, ""},
		{"valid bearer", map[string]string{"Authorization": "Bearer " + valid}, ""},
		{"missing", map[string]string{}, "missing API key"},
		{"malformed", map[string]string{"X-API-Key": "agora_tooshort"}, "malformed API key"},
		{"unknown", map[string]string{"X-API-Key": unknown}, "unknown API key"},
		{"revoked", map[string]string{"X-API-Key": revoked}, "API key revoked"},
		{"expired", map[string]string{"X-API-Key": expired}, "API key expired"},
	}
	accepted := 0
	for i, tc := range cases {
		t.Run("http/"+tc.name, func(t *testing.T) {
			code, body := postHTTP(t, c, tc.headers, oneSpan("http-"+tc.name, "", i))
			if tc.reason == "" {
				assert.Equal(t, http.StatusOK, code, body)
				accepted++
				return
			}
			assert.Equal(t, http.StatusUnauthorized, code)
			assert.Contains(t, body, tc.reason)
			for _, v := range tc.headers {
				if len(v) > 20 {
					assert.NotContains(t, body, v[len(v)-20:], "the key is never echoed")
				}
			}
		})
		t.Run("grpc/"+tc.name, func(t *testing.T) {
			md := map[string]string{}
			for k, v := range tc.headers {
				md[strings.ToLower(k)] = v
			}
			err := exportGRPC(t, c, md, oneSpan("grpc-"+tc.name, "", 100+i))
			if tc.reason == "" {
				assert.NoError(t, err)
				accepted++
				return
			}
			assert.Equal(t, codes.Unauthenticated, status.Code(err))
			assert.Contains(t, status.Convert(err).Message(), tc.reason)
		})
	}
	require.Equal(t, 4, accepted)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans", uint64(accepted))
	time.Sleep(500 * time.Millisecond)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans WHERE ServiceName LIKE '%valid%'", uint64(accepted))
}

// TestForgedOrgOverwritten: the org comes from the key, never from the data.
func TestForgedOrgOverwritten(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	_, victim := c.newKey(t, "victim", 0)
	attacker, attackerKey := c.newKey(t, "attacker", 0)

	code, body := postHTTP(t, c, map[string]string{"X-API-Key": attacker}, oneSpan("svc", victim.OrgID, 1))
	require.Equal(t, http.StatusOK, code, body)
	require.NoError(t, exportGRPC(t, c, map[string]string{"x-api-key": attacker}, oneSpan("svc", victim.OrgID, 2)))

	// The forged attributes are gone: the org is only the OrgId column's.
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans WHERE OrgId = ? AND NOT mapContains(ResourceAttributes, 'agora.org.id') AND NOT mapContains(ResourceAttributes, 'agora.org.name')",
		2, attackerKey.OrgID)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans WHERE OrgId = ? OR has(mapValues(ResourceAttributes), ?)", 0, victim.OrgID, victim.OrgID)
}

// TestTwoOrgsConcurrently: requests of two orgs interleave through the batch
// processor and the exporter queue, and every row keeps its own org.
func TestTwoOrgsConcurrently(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	keyA, a := c.newKey(t, "org-a", 0)
	keyB, b := c.newKey(t, "org-b", 0)
	const n = 100
	var wg sync.WaitGroup
	for _, org := range []struct{ key, svc string }{{keyA, "svc-a"}, {keyB, "svc-b"}} {
		wg.Go(func() {
			for i := range n {
				if i%2 == 0 {
					assert.NoError(t, exportGRPC(t, c, map[string]string{"x-api-key": org.key}, oneSpan(org.svc, "", i)))
				} else {
					code, _ := postHTTP(t, c, map[string]string{"X-API-Key": org.key}, oneSpan(org.svc, "", i))
					assert.Equal(t, http.StatusOK, code)
				}
			}
		})
	}
	wg.Wait()
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans", 2*n)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans WHERE OrgId = ? AND ServiceName = 'svc-a'", n, a.OrgID)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans WHERE OrgId = ? AND ServiceName = 'svc-b'", n, b.OrgID)
}

// TestRevokeWithAgoractlWhileRunning uses the real agoractl binary against a
// running collector's keys file.
func TestRevokeWithAgoractlWhileRunning(t *testing.T) {
	agoractl := os.Getenv("AGORACTL_BIN")
	if agoractl == "" {
		agoractl, _ = filepath.Abs("../../bin/agoractl")
	}
	if _, err := os.Stat(agoractl); err != nil {
		t.Fatalf("agoractl binary %s not found: run `make test`", agoractl)
	}
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	keysFile := filepath.Join(t.TempDir(), "keys.yaml")
	c := startCollectorWithKeys(t, db, keysFile)

	out, err := exec.Command(agoractl, "keys", "create", "--org", "acme", "--name", "live", "--keys-file", keysFile).Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	key := lines[len(lines)-1]
	send := func(i int) int {
		code, _ := postHTTP(t, c, map[string]string{"X-API-Key": key}, oneSpan("svc", "", i))
		return code
	}
	assert.Eventually(t, func() bool { return send(1) == http.StatusOK }, 10*time.Second, 100*time.Millisecond, "a new key is accepted within 10s")

	f, err := apikey.Load(keysFile)
	require.NoError(t, err)
	out, err = exec.Command(agoractl, "keys", "revoke", f.Keys[0].ID, "--keys-file", keysFile).CombinedOutput()
	require.NoError(t, err, "%s", out)
	revokedAt := time.Now()
	i := 2
	assert.Eventually(t, func() bool { i++; return send(i) == http.StatusUnauthorized }, 10*time.Second, 100*time.Millisecond, "a revoked key is refused within 10s")
	t.Logf("revocation took effect after %s", time.Since(revokedAt).Round(10*time.Millisecond))
}
