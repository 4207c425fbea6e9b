package apikeyauthextension

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension/internal/metadatatest"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

func createKey(t *testing.T, path, org, name string, ttl time.Duration, scopes ...apikey.Scope) (string, apikey.Key) {
	t.Helper()
	var secret string
	var key apikey.Key
	_, err := apikey.Update(path, func(f *apikey.File) (err error) {
		secret, key, err = f.CreateKey(org, name, scopes, ttl, time.Now())
		return err
	})
	require.NoError(t, err)
	return secret, key
}

func startAuth(t *testing.T, path string, logger *zap.Logger) (*authenticator, *testutil.Host) {
	t.Helper()
	return startAuthWith(t, path, logger, extensiontest.NewNopSettings(metadata.Type))
}

func startAuthWith(t *testing.T, path string, logger *zap.Logger, set extension.Settings) (*authenticator, *testutil.Host) {
	t.Helper()
	set.Logger = logger
	a, err := newAuthenticator(&Config{KeysFile: path, ReloadInterval: 100 * time.Millisecond, Scope: apikey.ScopeIngest}, set)
	require.NoError(t, err)
	host := testutil.NewHost(nil)
	require.NoError(t, a.Start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, a.Shutdown(context.Background())) })
	return a, host
}

func TestAuthenticateHeaders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	secret, key := createKey(t, path, "acme", "ci", 0)
	a, _ := startAuth(t, path, zap.NewNop())

	for name, sources := range map[string]map[string][]string{
		"http X-API-Key":       {"X-Api-Key": {secret}},
		"grpc x-api-key":       {"x-api-key": {secret}},
		"http bearer":          {"Authorization": {"Bearer " + secret}},
		"grpc bearer":          {"authorization": {"bearer " + secret}},
		"X-API-Key wins":       {"X-Api-Key": {secret}, "Authorization": {"Bearer agora_wrongwrongwrongwrongwrongwrongwrong"}},
		"other headers around": {"Content-Type": {"application/json"}, "X-Api-Key": {" " + secret + " "}},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, err := a.Authenticate(context.Background(), sources)
			require.NoError(t, err)
			auth := client.FromContext(ctx).Auth
			require.NotNil(t, auth)
			assert.Equal(t, key.OrgID, auth.GetAttribute(agora.AuthOrgID))
			assert.Equal(t, "acme", auth.GetAttribute(agora.AuthOrgName))
			assert.Equal(t, key.ID, auth.GetAttribute(agora.AuthKeyID))
			assert.Equal(t, "ci", auth.GetAttribute(agora.AuthKeyName))
			assert.ElementsMatch(t, []string{agora.AuthOrgID, agora.AuthOrgName, agora.AuthKeyID, agora.AuthKeyName}, auth.GetAttributeNames())
			used, ok := a.LastUsed(key.ID)
			assert.True(t, ok)
			assert.WithinDuration(t, time.Now(), used, 2*time.Second, "last use is tracked")
		})
	}
}

func TestAuthenticateRefusals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	_, _ = createKey(t, path, "acme", "ci", 0)
	revoked, rk := createKey(t, path, "acme", "old", 0)
	_, err := apikey.Update(path, func(f *apikey.File) error { return f.Revoke(rk.ID, time.Now()) })
	require.NoError(t, err)
	expired, _ := createKey(t, path, "acme", "temp", time.Nanosecond)
	unknown, _ := apikey.Generate()
	core, logs := observer.New(zap.DebugLevel)
	a, _ := startAuth(t, path, zap.New(core))

	for name, tc := range map[string]struct {
		sources map[string][]string
		want    error
	}{
		"missing":      {map[string][]string{}, apikey.ErrMissing},
		"basic auth":   {map[string][]string{"Authorization": {"Basic dXNlcjpwYXNz"}}, apikey.ErrMissing},
		"malformed":    {map[string][]string{"X-Api-Key": {"not-a-key"}}, apikey.ErrMalformed},
		"unknown":      {map[string][]string{"X-Api-Key": {unknown}}, apikey.ErrUnknown},
		"revoked":      {map[string][]string{"X-Api-Key": {revoked}}, apikey.ErrRevoked},
		"expired":      {map[string][]string{"X-Api-Key": {expired}}, apikey.ErrExpired},
		"empty header": {map[string][]string{"X-Api-Key": {}}, apikey.ErrMissing},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.Authenticate(context.Background(), tc.sources)
			assert.ErrorIs(t, err, tc.want)
		})
	}
	require.NotZero(t, logs.FilterMessage("API key refused").Len())
	for _, entry := range logs.All() {
		for _, secret := range []string{revoked, expired, unknown} {
			for _, v := range entry.ContextMap() {
				assert.NotContains(t, fmt.Sprint(v), secret[len(apikey.Prefix)+6:], "logs show at most the display prefix")
			}
		}
	}
}

func TestHotReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	first, firstKey := createKey(t, path, "acme", "one", 0)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	a, host := startAuthWith(t, path, zap.NewNop(), metadatatest.NewSettings(tel))
	auth := func(key string) error {
		_, err := a.Authenticate(context.Background(), map[string][]string{"X-Api-Key": {key}})
		return err
	}
	require.NoError(t, auth(first))

	// A new key is accepted without restart.
	second, _ := createKey(t, path, "acme", "two", 0)
	assert.Eventually(t, func() bool { return auth(second) == nil }, 5*time.Second, 20*time.Millisecond)

	// A revoked key is refused without restart.
	_, err := apikey.Update(path, func(f *apikey.File) error { return f.Revoke(firstKey.ID, time.Now()) })
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return auth(first) != nil }, 5*time.Second, 20*time.Millisecond)

	// A malformed file keeps the keys already loaded and reports an error status.
	require.NoError(t, os.WriteFile(path, []byte("keys: [unterminated"), 0o600))
	assert.Eventually(t, func() bool {
		ev := host.Last()
		return ev != nil && ev.Status() == componentstatus.StatusRecoverableError
	}, 5*time.Second, 20*time.Millisecond)
	assert.NoError(t, auth(second), "keys survive a bad file")
	metadatatest.AssertEqualApikeyauthReloadFailures(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreValue())

	// Fixing the file recovers the status.
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	assert.Eventually(t, func() bool { return host.Last().Status() == componentstatus.StatusOK }, 5*time.Second, 20*time.Millisecond)

	// Deleting a key (here: all of them) refuses it.
	assert.Eventually(t, func() bool { return auth(second) != nil }, 5*time.Second, 20*time.Millisecond)
}

func TestStartFailsOnMalformedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	require.NoError(t, os.WriteFile(path, []byte("keys: ["), 0o600))
	a, err := newAuthenticator(&Config{KeysFile: path, ReloadInterval: time.Second, Scope: apikey.ScopeIngest}, extensiontest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	require.Error(t, a.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, a.Shutdown(context.Background()))
}

func BenchmarkAuthenticate(b *testing.B) {
	path := filepath.Join(b.TempDir(), "keys.yaml")
	var secret string
	_, err := apikey.Update(path, func(f *apikey.File) (err error) {
		for range 1000 {
			if secret, _, err = f.CreateKey("acme", "k", nil, 0, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(b, err)
	a, err := newAuthenticator(&Config{KeysFile: path, ReloadInterval: time.Second, Scope: apikey.ScopeIngest}, extensiontest.NewNopSettings(metadata.Type))
	require.NoError(b, err)
	require.NoError(b, a.Start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	sources := map[string][]string{"Content-Type": {"application/x-protobuf"}, "User-Agent": {"OTel-OTLP-Exporter-Go/1.47.0"}, "X-Api-Key": {secret}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(context.Background(), sources); err != nil {
			b.Fatal(err)
		}
	}
}
