package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// TestRewriteByAnotherUser: agoractl run by an operator (here: nobody)
// keeps the keys file's mode and group when it rewrites it, and warns when
// the file's owner (the collector's user) can no longer read it. Needs root
// to act as other users; CI runs as root.
func TestRewriteByAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run agoractl as another user")
	}
	bin := os.Getenv("AGORACTL_BIN")
	require.NotEmpty(t, bin, "AGORACTL_BIN (make test sets it)")
	dir, err := os.MkdirTemp("", "agoractl-users-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777))
	exe := filepath.Join(dir, "agoractl")
	b, err := os.ReadFile(bin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(exe, b, 0o755))
	path := filepath.Join(dir, "keys.yaml")
	_, _, code := agoractl(t, "keys", "create", "--org", "acme", "--name", "a", "--keys-file", path)
	require.Equal(t, 0, code)
	asNobody := func() (string, error) {
		cmd := exec.Command(exe, "keys", "create", "--org", "acme", "--name", "b", "--keys-file", path)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	// The collector's user 1001 (unknown here: assumed in the file's group)
	// shares group nogroup with the operator: the rewritten file keeps mode
	// and group, so 1001 reads it by group.
	require.NoError(t, os.Chown(path, 1001, 65534))
	require.NoError(t, os.Chmod(path, 0o660))
	out, err := asNobody()
	require.NoError(t, err, out)
	assert.NotContains(t, out, "warning")
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o660), st.Mode().Perm())
	assert.Equal(t, uint32(65534), st.Sys().(*syscall.Stat_t).Gid)

	// The collector's user is daemon (uid 1), not in group nogroup, and
	// read the file as its owner; the operator (nobody) reads it through
	// group nogroup. Only root could give the file back to daemon: agoractl
	// says daemon cannot read it now.
	require.NoError(t, os.Chown(path, 1, 65534))
	require.NoError(t, os.Chmod(path, 0o660))
	out, err = asNobody()
	require.NoError(t, err, out)
	assert.Contains(t, out, "warning: the keys file is now owned by uid 65534 (was 1)")
}
