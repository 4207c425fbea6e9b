package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func agoractl(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut, func() time.Time { return now })
	return out.String(), errOut.String(), code
}

func TestCreateListRevoke(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")

	out, _, code := agoractl(t, "keys", "create", "--org", "acme", "--name", "ci", "--expires", "30d", "--keys-file", path)
	require.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	assert.True(t, apikey.WellFormed(secret), "the key is the last line: %q", secret)
	assert.Contains(t, out, "expires 2026-12-25T12:00:00Z")

	file, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(file), secret[len(apikey.Prefix):], "the file has the hash only")

	list, _, code := agoractl(t, "keys", "list", "--keys-file", path)
	require.Equal(t, 0, code)
	assert.Contains(t, list, "acme")
	assert.Contains(t, list, apikey.DisplayPrefix(secret))
	assert.Contains(t, list, "active")
	assert.NotContains(t, list, secret[len(apikey.Prefix)+6:], "list shows no secrets")

	f, err := apikey.Load(path)
	require.NoError(t, err)
	require.Len(t, f.Keys, 1)
	require.Len(t, f.Orgs, 1, "the first key created the org")

	_, _, code = agoractl(t, "keys", "revoke", f.Keys[0].ID, "--keys-file", path)
	require.Equal(t, 0, code)
	list, _, _ = agoractl(t, "keys", "list", "--keys-file", path)
	assert.Contains(t, list, "revoked")
}

func TestErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	for name, args := range map[string][]string{
		"no org":         {"keys", "create", "--name", "x", "--keys-file", path},
		"bad expires":    {"keys", "create", "--org", "a", "--name", "x", "--expires", "soon", "--keys-file", path},
		"unknown key id": {"keys", "revoke", "key_nope", "--keys-file", path},
		"revoke no id":   {"keys", "revoke", "--keys-file", path},
	} {
		t.Run(name, func(t *testing.T) {
			_, stderr, code := agoractl(t, args...)
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr, "agoractl:")
		})
	}
	_, stderr, code := agoractl(t, "nonsense")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "usage:")
}

func TestCreateWithScopes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	out, _, code := agoractl(t, "keys", "create", "--org", "acme", "--name", "sdk", "--keys-file", path)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "scopes ingest", "ingest is the default")
	out, _, code = agoractl(t, "keys", "create", "--org", "acme", "--name", "ops", "--scope", "read,admin", "--keys-file", path)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "scopes read, admin")
	_, stderr, code := agoractl(t, "keys", "create", "--org", "acme", "--name", "x", "--scope", "root", "--keys-file", path)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `--scope: unknown scope "root"`)
	list, _, _ := agoractl(t, "keys", "list", "--keys-file", path)
	assert.Contains(t, list, "read,admin")
	f, err := apikey.Load(path)
	require.NoError(t, err)
	assert.Len(t, f.Keys, 2, "the refused create wrote nothing")
}

func TestJSONOutputAndVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	out, _, code := agoractl(t, "keys", "create", "--org", "acme", "--name", "ci", "--scope", "read", "--output", "json", "--keys-file", path)
	require.Equal(t, 0, code)
	var created struct {
		ID, Key, Status string
		Scopes          []string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	assert.True(t, apikey.WellFormed(created.Key))
	assert.Equal(t, []string{"read"}, created.Scopes)
	assert.Equal(t, "active", created.Status)

	out, _, code = agoractl(t, "keys", "list", "--output", "json", "--keys-file", path)
	require.Equal(t, 0, code)
	var listed struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(out), &listed))
	require.Len(t, listed.Keys, 1)
	assert.Equal(t, created.ID, listed.Keys[0]["id"])
	assert.NotContains(t, out, created.Key[len(apikey.Prefix):], "no secret listed")
	assert.NotContains(t, out, "hash")

	out, _, code = agoractl(t, "keys", "revoke", created.ID, "--output", "json", "--keys-file", path)
	require.Equal(t, 0, code)
	assert.JSONEq(t, `{"revoked": "`+created.ID+`"}`, out)

	_, stderr, code := agoractl(t, "keys", "list", "--output", "yaml", "--keys-file", path)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `--output "yaml": want text or json`)

	out, _, code = agoractl(t, "version")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "agoractl "), out)
}
