package apikey

import (
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"
	"time"
)

// Store answers "whose key is this?" from an immutable snapshot that a
// reload swaps atomically: checks never lock and never see half a file.
type Store struct {
	snap atomic.Pointer[snapshot]
}

type snapshot struct {
	byHash map[[sha256.Size]byte]*entry
}

type entry struct {
	hash [sha256.Size]byte
	key  Key
}

// NewStore returns a store with no keys.
func NewStore() *Store {
	s := &Store{}
	s.snap.Store(&snapshot{byHash: map[[sha256.Size]byte]*entry{}})
	return s
}

// Replace makes f's keys the current ones.
func (s *Store) Replace(f *File) {
	next := &snapshot{byHash: make(map[[sha256.Size]byte]*entry, len(f.Keys))}
	for _, k := range f.Keys {
		e := &entry{key: k}
		// validate() guaranteed 64 hex characters.
		_, _ = hex.Decode(e.hash[:], []byte(k.Hash))
		next.byHash[e.hash] = e
	}
	s.snap.Store(next)
}

// Len is the number of keys loaded.
func (s *Store) Len() int { return len(s.snap.Load().byHash) }

// Verify returns the key record for a presented key, or one of the Err*
// reasons. The lookup is by sha256 of the presented key, so its timing can
// only tell an attacker about a hash of their own guess: no secret is ever
// compared byte by byte.
func (s *Store) Verify(presented string, now time.Time) (*Key, error) {
	if presented == "" {
		return nil, ErrMissing
	}
	if !WellFormed(presented) {
		return nil, ErrMalformed
	}
	sum := sha256.Sum256([]byte(presented))
	e, ok := s.snap.Load().byHash[sum]
	if !ok {
		return nil, ErrUnknown
	}
	k := &e.key
	if k.RevokedAt != nil && !now.Before(*k.RevokedAt) {
		return nil, ErrRevoked
	}
	if k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) {
		return nil, ErrExpired
	}
	return k, nil
}

// Manager is key management as the API-key authenticator offers it to the
// other components of the collector (the UI's settings page finds it through
// the host), so the keys file is configured once, on the authenticator.
type Manager interface {
	// Keys lists the org's keys, never a secret.
	Keys(orgID string) ([]Key, error)
	// CreateKey adds a key to the org; the secret exists only in the answer.
	CreateKey(orgID, name string, ttl time.Duration) (secret string, k Key, err error)
	// RevokeKey revokes one of the org's own keys; ErrNoSuchKey otherwise.
	RevokeKey(orgID, keyID string) error
	// LastUsed tells when this process last accepted the key.
	LastUsed(keyID string) (time.Time, bool)
}
