package apikeyauthextension

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

// TestKeyManagementIsPerOrgAndImmediate: the UI manages keys through the
// authenticator; a created key works and a revoked one is refused at once,
// and no org sees or revokes another's keys.
func TestKeyManagementIsPerOrgAndImmediate(t *testing.T) {
	// prepare
	path := filepath.Join(t.TempDir(), "keys.yaml")
	_, acme := createKey(t, path, "acme", "first", 0)
	_, globex := createKey(t, path, "globex", "other", 0)
	a, _ := startAuth(t, path, zap.NewNop())
	// test
	secret, created, err := a.CreateKey(acme.OrgID, "ci", time.Hour)
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
	assert.ErrorIs(t, a.RevokeKey(globex.OrgID, created.ID), apikey.ErrNoSuchKey, "another org cannot revoke it")
	require.NoError(t, a.RevokeKey(acme.OrgID, created.ID))
	_, err = a.Authenticate(context.Background(), map[string][]string{"X-Api-Key": {secret}})
	assert.ErrorIs(t, err, apikey.ErrRevoked, "refused before the next poll")
}
