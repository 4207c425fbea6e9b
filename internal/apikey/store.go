package apikey

import (
	"crypto/sha256"
	"crypto/subtle"
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
// reasons. The lookup is by sha256 of the presented key, so lookup timing can
// only tell an attacker about a hash of their own guess; the final comparison
// is constant-time all the same.
func (s *Store) Verify(presented string, now time.Time) (*Key, error) {
	if presented == "" {
		return nil, ErrMissing
	}
	if !WellFormed(presented) {
		return nil, ErrMalformed
	}
	sum := sha256.Sum256([]byte(presented))
	e, ok := s.snap.Load().byHash[sum]
	if !ok || subtle.ConstantTimeCompare(e.hash[:], sum[:]) != 1 {
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

// UsageTracker is implemented by authenticators that know when a key was
// last accepted (since their process started), for the settings page.
type UsageTracker interface {
	LastUsed(keyID string) (time.Time, bool)
}
