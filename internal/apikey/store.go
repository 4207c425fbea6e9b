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
	byID   map[string]*entry
}

type entry struct {
	hash [sha256.Size]byte
	key  Key
}

// NewStore returns a store with no keys.
func NewStore() *Store {
	s := &Store{}
	s.snap.Store(&snapshot{byHash: map[[sha256.Size]byte]*entry{}, byID: map[string]*entry{}})
	return s
}

// Replace makes f's keys the current ones.
func (s *Store) Replace(f *File) {
	next := &snapshot{byHash: make(map[[sha256.Size]byte]*entry, len(f.Keys)), byID: make(map[string]*entry, len(f.Keys))}
	for _, k := range f.Keys {
		e := &entry{key: k}
		// validate() guaranteed 64 hex characters.
		_, _ = hex.Decode(e.hash[:], []byte(k.Hash))
		next.byHash[e.hash] = e
		next.byID[k.ID] = e
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
	return usable(&e.key, now)
}

// Current is the key with this id as the file now says, if it may still be
// used: a UI session checks its key on every request, so a revocation ends
// the session within the reload interval.
func (s *Store) Current(id string, now time.Time) (*Key, error) {
	e, ok := s.snap.Load().byID[id]
	if !ok {
		return nil, ErrUnknown
	}
	return usable(&e.key, now)
}

// Unscoped counts the keys from before scopes.
func (s *Store) Unscoped() int {
	n := 0
	for _, e := range s.snap.Load().byID {
		if e.key.Unscoped() {
			n++
		}
	}
	return n
}

func usable(k *Key, now time.Time) (*Key, error) {
	if k.RevokedAt != nil && !now.Before(*k.RevokedAt) {
		return nil, ErrRevoked
	}
	if k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) {
		return nil, ErrExpired
	}
	return k, nil
}

// Manager is key management as the API-key authenticator offers it to the
// other components of the collector (the UI finds it through the host), so
// the keys file is configured once, on the authenticator. Every change is
// made by a key and limited by its scopes.
type Manager interface {
	// Verify checks a presented key (whatever its scopes).
	Verify(presented string) (*Key, error)
	// Current is the key with this id if it may still be used.
	Current(id string) (*Key, error)
	// Keys lists the org's keys, never a secret.
	Keys(orgID string) ([]Key, error)
	// CreateKey adds a key to the creator's org, no wider than the creator
	// (MayCreate); the secret exists only in the answer.
	CreateKey(creator *Key, name string, scopes []Scope, ttl time.Duration) (secret string, k Key, err error)
	// RevokeKey revokes one of the creator's org's keys (admin scope);
	// ErrNoSuchKey for any other id.
	RevokeKey(creator *Key, keyID string) error
	// LastUsed tells when this process last accepted the key.
	LastUsed(keyID string) (time.Time, bool)
}
