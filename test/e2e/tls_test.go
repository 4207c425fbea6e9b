//go:build integration

package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// testCert writes a CA and a server certificate for 127.0.0.1/localhost
// into dir; it returns the server's cert and key files and a pool that
// trusts the CA.
func testCert(t testing.TB, dir string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "agora test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	srv := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "agora-otelcol"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, srv, caCert, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	roots = x509.NewCertPool()
	roots.AddCert(caCert)
	return certFile, keyFile, roots
}

// TestGatewayTLS runs config/gateway.yaml with a certificate made here: the
// captured Agora SDK flow over HTTPS, OTLP over HTTPS and gRPC with TLS,
// the UI's session cookie marked Secure, readiness over HTTPS; plaintext
// is refused on every listener.
func TestGatewayTLS(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	certFile, keyFile, roots := testCert(t, t.TempDir())
	c := startCollectorWith(t, options{config: "gateway.yaml", db: db, env: []string{
		"AGORA_TLS_CERT_FILE=" + certFile, "AGORA_TLS_KEY_FILE=" + keyFile,
	}})
	key, org := c.newKeyTLS(t, roots)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}

	// The SDK's flow, as captured, over HTTPS.
	var execID string
	for i, r := range sdkFlow(t) {
		path := strings.ReplaceAll(r.Path, fixtureExecutionID, execID)
		body := bytes.ReplaceAll(r.Body, []byte(fixtureExecutionID), []byte(execID))
		req, err := http.NewRequest(r.Method, "https://"+c.api+path, bytes.NewReader(body))
		require.NoError(t, err)
		for k, v := range r.Headers {
			req.Header.Set(k, v)
		}
		req.Header.Set("X-API-Key", key)
		resp, err := client.Do(req)
		require.NoError(t, err)
		var out map[string]any
		require.NoError(t, decodeJSON(resp, &out))
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d: %v", i, out)
		if id, ok := out["execution_id"].(string); ok && execID == "" {
			execID = id
		}
	}
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId = ? AND Status != 'running'", 1, org, execID)

	// OTLP/HTTP over HTTPS, OTLP/gRPC over TLS.
	body, err := ptraceotlp.NewExportRequestFromTraces(oneSpan("tls-http", "", 1)).MarshalProto()
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, "https://"+c.http+"/v1/traces", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("X-API-Key", key)
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	gconn, err := grpc.NewClient(c.grpc, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12})))
	require.NoError(t, err)
	defer gconn.Close()
	ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), metadata.New(map[string]string{"x-api-key": key})), 10*time.Second)
	defer cancel()
	_, err = ptraceotlp.NewGRPCClient(gconn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(oneSpan("tls-grpc", "", 2)))
	require.NoError(t, err)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans FINAL WHERE OrgId = ? AND ServiceName IN ('tls-http', 'tls-grpc')", 2, org)

	// The UI over HTTPS: the session cookie is Secure.
	req, _ = http.NewRequest(http.MethodPost, "https://"+c.ui+"/api/session", strings.NewReader(fmt.Sprintf(`{"key": %q}`, key)))
	req.Header.Set("Content-Type", "application/json")
	resp, err = client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, resp.Cookies(), 1)
	assert.True(t, resp.Cookies()[0].Secure, "Secure under TLS")
	resp, err = client.Get("https://" + c.ready + "/ready")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// Plaintext on a TLS listener carries no key anywhere.
	for name, addr := range map[string]string{"Agora API": c.api, "OTLP HTTP": c.http, "UI": c.ui} {
		resp, err := http.Post("http://"+addr+"/", "application/json", strings.NewReader("{}"))
		refused := err != nil || resp.StatusCode == http.StatusBadRequest
		if err == nil {
			resp.Body.Close()
		}
		assert.True(t, refused, "%s answered plaintext", name)
		attack(t, "tls", "plaintext request to the gateway's "+name, refused)
	}
}

func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// newKeyTLS creates a key with every scope in the gateway's keys file and
// waits until the TLS listener accepts it.
func (c *collector) newKeyTLS(t *testing.T, roots *x509.CertPool) (string, string) {
	t.Helper()
	secret, k := c.newKeyNoWait(t, "tls-org", 0)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	require.Eventually(t, func() bool {
		req, _ := http.NewRequest(http.MethodGet, "https://"+c.ui+"/api/me", nil)
		req.Header.Set("X-API-Key", secret)
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)
	return secret, k.OrgID
}
