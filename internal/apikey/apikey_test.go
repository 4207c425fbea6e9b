package apikey

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestGenerateIsWellFormedAndUnique(t *testing.T) {
	a, err := Generate()
	require.NoError(t, err)
	b, err := Generate()
	require.NoError(t, err)
	assert.True(t, WellFormed(a), a)
	assert.NotEqual(t, a, b)
	assert.Len(t, a, len(Prefix)+43)
	assert.Equal(t, a[:12], DisplayPrefix(a))
}

func TestWellFormed(t *testing.T) {
	for key, want := range map[string]bool{
		"agora_" + strings.Repeat("a", 32):        true,
		"agora_" + strings.Repeat("A-_9", 10):     true,
		"agora_" + strings.Repeat("a", 31):        false, // too short
		"Agora_" + strings.Repeat("a", 32):        false,
		"sk_" + strings.Repeat("a", 40):           false,
		"agora_" + strings.Repeat("a", 31) + "+":  false, // not URL-safe
		"agora_" + strings.Repeat("a", 31) + " ":  false,
		"agora_" + strings.Repeat("a", 300):       false, // bounded
		"":                                        false,
		"Bearer agora_" + strings.Repeat("a", 32): false,
	} {
		assert.Equal(t, want, WellFormed(key), "%q", key)
	}
}

func TestVerifyReasons(t *testing.T) {
	// prepare
	f := &File{}
	good, _, err := f.CreateKey("acme", "ci", nil, 0, now)
	require.NoError(t, err)
	revoked, rk, err := f.CreateKey("acme", "old", nil, 0, now)
	require.NoError(t, err)
	require.NoError(t, f.Revoke(rk.ID, now))
	expiring, _, err := f.CreateKey("acme", "temp", nil, time.Hour, now)
	require.NoError(t, err)
	s := NewStore()
	s.Replace(f)
	unknown, _ := Generate()

	// test + verify
	k, err := s.Verify(good, now)
	require.NoError(t, err)
	assert.Equal(t, "acme", k.OrgName)
	assert.Equal(t, f.Orgs[0].ID, k.OrgID)

	for name, tc := range map[string]struct {
		key  string
		at   time.Time
		want error
	}{
		"missing":         {"", now, ErrMissing},
		"malformed":       {"agora_short", now, ErrMalformed},
		"unknown":         {unknown, now, ErrUnknown},
		"revoked":         {revoked, now, ErrRevoked},
		"expired":         {expiring, now.Add(time.Hour), ErrExpired},
		"not yet expired": {expiring, now.Add(59 * time.Minute), nil},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Verify(tc.key, tc.at)
			assert.ErrorIs(t, err, tc.want)
			if err != nil && len(tc.key) > len(Prefix) {
				assert.NotContains(t, err.Error(), tc.key[min(len(tc.key), len(Prefix)):], "the reason never contains the key")
			}
		})
	}
}

func TestCreateKeyCreatesOrgOnce(t *testing.T) {
	f := &File{}
	_, a, err := f.CreateKey("acme", "one", nil, 0, now)
	require.NoError(t, err)
	_, b, err := f.CreateKey("acme", "two", nil, 0, now)
	require.NoError(t, err)
	_, c, err := f.CreateKey("globex", "one", nil, 0, now)
	require.NoError(t, err)
	require.Len(t, f.Orgs, 2)
	assert.Equal(t, a.OrgID, b.OrgID)
	assert.NotEqual(t, a.OrgID, c.OrgID)
	_, _, err = f.CreateKey("", "x", nil, 0, now)
	assert.Error(t, err)
}

func TestFileNeverHoldsTheKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	var secret string
	_, err := Update(path, func(f *File) (err error) {
		secret, _, err = f.CreateKey("acme", "ci", nil, 0, now)
		return err
	})
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(b), secret[len(Prefix):])
	assert.Contains(t, string(b), "scopes: [ingest]", "new keys get the default scope")
	assert.Contains(t, string(b), Hash(secret))

	f, err := Load(path)
	require.NoError(t, err)
	s := NewStore()
	s.Replace(f)
	_, err = s.Verify(secret, now)
	assert.NoError(t, err)
}

func TestParseRejectsBadFiles(t *testing.T) {
	for name, body := range map[string]string{
		"not yaml":       "keys: [",
		"unknown field":  "keys:\n  - id: a\n    org_id: o\n    hash: " + strings.Repeat("a", 64) + "\n    secret: x\n",
		"bad hash":       "keys:\n  - id: a\n    org_id: o\n    hash: abc\n",
		"missing org id": "keys:\n  - id: a\n    hash: " + strings.Repeat("a", 64) + "\n",
		"unknown scope":  "keys:\n  - {id: a, org_id: o, hash: " + strings.Repeat("a", 64) + ", scopes: [root]}\n",
		"duplicate":      "keys:\n  - {id: a, org_id: o, hash: " + strings.Repeat("a", 64) + "}\n  - {id: a, org_id: o, hash: " + strings.Repeat("b", 64) + "}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(body))
			assert.Error(t, err)
		})
	}
	f, err := Parse(nil)
	require.NoError(t, err, "an empty file is no keys")
	assert.Empty(t, f.Keys)
}

func TestLoadMissingFileIsEmpty(t *testing.T) {
	f, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	require.NoError(t, err)
	assert.Empty(t, f.Keys)
}

func TestConcurrentUpdatesKeepEveryKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := Update(path, func(f *File) error {
				_, _, err := f.CreateKey("acme", "k", nil, 0, now)
				return err
			})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	f, err := Load(path)
	require.NoError(t, err)
	assert.Len(t, f.Keys, 8, "the file lock serializes read-modify-write")
}

func TestScopesOfKeys(t *testing.T) {
	_, err := ParseScopes("")
	assert.Error(t, err)
	_, err = ParseScopes("ingest,root")
	assert.ErrorContains(t, err, `unknown scope "root"`)
	sc, err := ParseScopes(" Read, admin,read ")
	require.NoError(t, err)
	assert.Equal(t, []Scope{ScopeRead, ScopeAdmin}, sc)

	for _, tc := range []struct {
		scopes             []Scope
		ingest, read, admn bool
	}{
		{nil, true, true, true}, // from before scopes
		{[]Scope{ScopeIngest}, true, false, false},
		{[]Scope{ScopeRead}, false, true, false},
		{[]Scope{ScopeAdmin}, false, true, true}, // admin implies read
		{[]Scope{ScopeIngest, ScopeAdmin}, true, true, true},
	} {
		k := &Key{Scopes: tc.scopes}
		assert.Equal(t, tc.ingest, k.Has(ScopeIngest), "%v ingest", tc.scopes)
		assert.Equal(t, tc.read, k.Has(ScopeRead), "%v read", tc.scopes)
		assert.Equal(t, tc.admn, k.Has(ScopeAdmin), "%v admin", tc.scopes)
	}
}

// TestUpdateKeepsOwnerAndMode: a keys file rewritten by agoractl keeps
// the mode and owner it had, so the collector's user still reads it.
func TestUpdateKeepsOwnerAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	_, err := Update(path, func(f *File) error { _, _, err := f.CreateKey("acme", "a", nil, 0, now); return err })
	require.NoError(t, err)
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = 65534, 65534 // root hands it to nobody, as a service user would own it
	}
	require.NoError(t, os.Chown(path, uid, gid))
	require.NoError(t, os.Chmod(path, 0o640))

	warning, err := Update(path, func(f *File) error { _, _, err := f.CreateKey("acme", "b", nil, 0, now); return err })
	require.NoError(t, err)
	assert.Empty(t, warning)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm())
	sys := st.Sys().(*syscall.Stat_t)
	assert.Equal(t, []int{uid, gid}, []int{int(sys.Uid), int(sys.Gid)})
}

func TestReadableBy(t *testing.T) {
	assert.True(t, readableBy(0, nil, 1000, 1000, 0o000), "root reads anything")
	assert.True(t, readableBy(1000, []uint32{1000}, 1000, 50, 0o600))
	assert.False(t, readableBy(1000, []uint32{1000}, 1000, 1000, 0o060), "owner bits apply to the owner")
	assert.True(t, readableBy(1000, []uint32{1000, 50}, 0, 50, 0o640), "group")
	assert.False(t, readableBy(1000, []uint32{1000}, 0, 50, 0o640), "not in the group, no other bits")
	assert.True(t, readableBy(1000, []uint32{1000}, 0, 0, 0o644))
}

func BenchmarkVerify(b *testing.B) {
	f := &File{}
	var key string
	for i := range 1000 {
		k, _, err := f.CreateKey("org", "k", nil, 0, now)
		require.NoError(b, err)
		if i == 500 {
			key = k
		}
	}
	s := NewStore()
	s.Replace(f)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(key, now); err != nil {
			b.Fatal(err)
		}
	}
}
