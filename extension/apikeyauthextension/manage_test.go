package apikeyauthextension

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

// TestKeyManagementIsPerOrgAndImmediate: the UI manages keys through the
// authenticator; a created key works and a revoked one is refused at once,
// and no org sees or revokes another's keys.
func TestKeyManagementIsPerOrgAndImmediate(t *testing.T) {
	// prepare
	path := filepath.Join(t.TempDir(), "keys.yaml")
	_, acme := createKey(t, path, "acme", "first", 0, apikey.ScopeIngest, apikey.ScopeAdmin)
	_, globex := createKey(t, path, "globex", "other", 0, apikey.ScopeAdmin)
	a, _ := startAuth(t, path, zap.NewNop())
	// test
	secret, created, err := a.CreateKey(&acme, "ci", []apikey.Scope{apikey.ScopeIngest}, time.Hour)
	require.NoError(t, err)
	_, err = a.Authenticate(context.Background(), map[string][]string{"X-Api-Key": {secret}})
	require.NoError(t, err, "usable before the next poll")
	keys, err := a.Keys(acme.OrgID)
	require.NoError(t, err)
	// verify
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
		assert.Equal(t, acme.OrgID, k.OrgID)
	}
	assert.ElementsMatch(t, []string{"first", "ci"}, names)
	assert.ErrorIs(t, a.RevokeKey(&globex, created.ID), apikey.ErrNoSuchKey, "another org cannot revoke it")
	require.NoError(t, a.RevokeKey(&acme, created.ID))
	_, err = a.Authenticate(context.Background(), map[string][]string{"X-Api-Key": {secret}})
	assert.ErrorIs(t, err, apikey.ErrRevoked, "refused before the next poll")
}

// TestScopes: the authenticator passes only keys with its scope; only an
// admin key manages keys, and never creates a wider or longer-lived one.
func TestScopes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	ingest, ingestKey := createKey(t, path, "acme", "sdk", 0)
	read, readKey := createKey(t, path, "acme", "dash", 0, apikey.ScopeRead)
	admin, adminKey := createKey(t, path, "acme", "ops", 24*time.Hour, apikey.ScopeAdmin)
	unscoped, _ := createKey(t, path, "acme", "legacy", 0)
	_, err := apikey.Update(path, func(f *apikey.File) error {
		f.Keys[len(f.Keys)-1].Scopes = nil // as written before scopes
		return nil
	})
	require.NoError(t, err)
	core, logs := observer.New(zap.InfoLevel)
	a, _ := startAuth(t, path, zap.New(core))
	assert.Equal(t, 1, logs.FilterField(zap.Int("unscoped_keys", 1)).Len(), "unscoped keys are counted once at start")

	// ingest: the receivers' authenticator
	for key, want := range map[string]bool{ingest: true, read: false, admin: false, unscoped: true} {
		_, err := a.Authenticate(context.Background(), map[string][]string{"X-Api-Key": {key}})
		if want {
			assert.NoError(t, err)
		} else {
			assert.ErrorAs(t, err, new(apikey.ErrScope))
			assert.ErrorContains(t, err, `lacks scope "ingest"`)
		}
	}

	// key management
	for name, k := range map[string]*apikey.Key{"ingest": &ingestKey, "read": &readKey} {
		_, _, err := a.CreateKey(k, "x", []apikey.Scope{apikey.ScopeIngest}, 0)
		assert.ErrorAs(t, err, new(apikey.ErrScope), name)
		assert.ErrorAs(t, a.RevokeKey(k, adminKey.ID), new(apikey.ErrScope), name)
	}
	_, _, err = a.CreateKey(&adminKey, "x", []apikey.Scope{apikey.ScopeIngest}, time.Hour)
	assert.ErrorIs(t, err, apikey.ErrWider, "admin does not include ingest")
	_, _, err = a.CreateKey(&adminKey, "x", []apikey.Scope{apikey.ScopeRead}, 0)
	assert.ErrorIs(t, err, apikey.ErrWider, "never expiring outlives an expiring creator")
	_, _, err = a.CreateKey(&adminKey, "x", []apikey.Scope{apikey.ScopeRead}, 48*time.Hour)
	assert.ErrorIs(t, err, apikey.ErrWider, "later expiry")
	_, k, err := a.CreateKey(&adminKey, "x", []apikey.Scope{apikey.ScopeRead, apikey.ScopeAdmin}, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, []apikey.Scope{apikey.ScopeRead, apikey.ScopeAdmin}, k.Scopes)
	all, err := a.Keys(adminKey.OrgID)
	require.NoError(t, err)
	assert.Len(t, all, 5, "nothing was created by the refused calls")
	require.NoError(t, a.RevokeKey(&adminKey, readKey.ID))
}
