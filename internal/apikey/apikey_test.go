package apikey

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	good, _, err := f.CreateKey("acme", "ci", 0, now)
	require.NoError(t, err)
	revoked, rk, err := f.CreateKey("acme", "old", 0, now)
	require.NoError(t, err)
	require.NoError(t, f.Revoke(rk.ID, now))
	expiring, _, err := f.CreateKey("acme", "temp", time.Hour, now)
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
	_, a, err := f.CreateKey("acme", "one", 0, now)
	require.NoError(t, err)
	_, b, err := f.CreateKey("acme", "two", 0, now)
	require.NoError(t, err)
	_, c, err := f.CreateKey("globex", "one", 0, now)
	require.NoError(t, err)
	require.Len(t, f.Orgs, 2)
	assert.Equal(t, a.OrgID, b.OrgID)
	assert.NotEqual(t, a.OrgID, c.OrgID)
	_, _, err = f.CreateKey("", "x", 0, now)
	assert.Error(t, err)
}

func TestFileNeverHoldsTheKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	var secret string
	require.NoError(t, Update(path, func(f *File) (err error) {
		secret, _, err = f.CreateKey("acme", "ci", 0, now)
		return err
	}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(b), secret[len(Prefix):])
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
			assert.NoError(t, Update(path, func(f *File) error {
				_, _, err := f.CreateKey("acme", "k", 0, now)
				return err
			}))
		})
	}
	wg.Wait()
	f, err := Load(path)
	require.NoError(t, err)
	assert.Len(t, f.Keys, 8, "the file lock serializes read-modify-write")
}

func BenchmarkVerify(b *testing.B) {
	f := &File{}
	var key string
	for i := range 1000 {
		k, _, err := f.CreateKey("org", "k", 0, now)
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
