//go:build integration

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
