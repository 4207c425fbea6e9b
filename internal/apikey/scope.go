package apikey

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Scope is what a key may do.
type Scope string

const (
	// ScopeIngest sends telemetry (Agora API, OTLP): what an SDK needs.
	ScopeIngest Scope = "ingest"
	// ScopeRead signs in to the UI and queries the API.
	ScopeRead Scope = "read"
	// ScopeAdmin manages the org's keys; it implies read.
	ScopeAdmin Scope = "admin"
)

// Scopes are every scope, in the order they are shown.
var Scopes = []Scope{ScopeIngest, ScopeRead, ScopeAdmin}

// DefaultScopes is what a key is created with when no scope is named.
var DefaultScopes = []Scope{ScopeIngest}

// ErrScope: the key lacks the scope an action needs. The message names the
// scope, never the key.
type ErrScope struct{ Need Scope }

func (e ErrScope) Error() string {
	return fmt.Sprintf("API key lacks scope %q (create one with: agoractl keys create --scope %s)", e.Need, e.Need)
}

// ParseScopes reads "ingest,read" (or repeated values); an empty list is
// an error: a key that can do nothing is a mistake.
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(strings.ToLower(p))
		if p == "" {
			continue
		}
		if !slices.Contains(Scopes, Scope(p)) {
			return nil, fmt.Errorf("unknown scope %q: want %s", p, JoinScopes(Scopes))
		}
		if !slices.Contains(out, Scope(p)) {
			out = append(out, Scope(p))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no scope: want one or more of " + JoinScopes(Scopes))
	}
	return out, nil
}

// JoinScopes is "ingest, read, admin".
func JoinScopes(scopes []Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, ", ")
}

// Unscoped is a key from before scopes: it can do everything, as it always
// could, until it is replaced by scoped keys.
func (k *Key) Unscoped() bool { return len(k.Scopes) == 0 }

// Has reports whether the key may act with scope s (admin implies read).
func (k *Key) Has(s Scope) bool {
	if k.Unscoped() || slices.Contains(k.Scopes, s) {
		return true
	}
	return s == ScopeRead && slices.Contains(k.Scopes, ScopeAdmin)
}

// Require is nil when the key has the scope, else ErrScope.
func (k *Key) Require(s Scope) error {
	if k.Has(s) {
		return nil
	}
	return ErrScope{Need: s}
}

// ScopeNames are the key's scopes for display; an unscoped key shows all.
func (k *Key) ScopeNames() []Scope {
	if k.Unscoped() {
		return Scopes
	}
	return k.Scopes
}

// ErrWider: a key may only create keys that can do no more, and live no
// longer, than itself.
var ErrWider = errors.New("a key can only create keys with its own scopes or fewer, expiring no later than itself")

// MayCreate checks that a key created by k with these scopes and this
// expiry (nil: never) is no wider than k: k is an admin key, every scope is
// one k has, and it expires no later than k does.
func (k *Key) MayCreate(scopes []Scope, expiresAt *time.Time) error {
	if err := k.Require(ScopeAdmin); err != nil {
		return err
	}
	for _, s := range scopes {
		if !k.Has(s) {
			return fmt.Errorf("scope %q: %w", s, ErrWider)
		}
	}
	if k.ExpiresAt != nil && (expiresAt == nil || expiresAt.After(*k.ExpiresAt)) {
		return fmt.Errorf("expiry after this key's own (%s): %w", k.ExpiresAt.Format(time.RFC3339), ErrWider)
	}
	return nil
}
