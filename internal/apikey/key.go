// Package apikey is the Agora API-key model: the key format, the keys file
// (hashes only, never keys) and the in-memory store the authenticator checks.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// Prefix starts every key.
const Prefix = "agora_"

// minSecretLen is the shortest random part accepted after the prefix.
const minSecretLen = 32

// maxKeyLen bounds what is hashed for a presented key.
const maxKeyLen = 256

// displayLen is how much of a key may be shown: the prefix and 6 characters.
const displayLen = len(Prefix) + 6

// Reasons a key is refused. The messages are safe to return to the client
// and to log: none of them contains the key.
var (
	ErrMissing   = errors.New("missing API key: send it in the X-API-Key header or as Authorization: Bearer <key>")
	ErrMalformed = errors.New("malformed API key: expected agora_ followed by at least 32 URL-safe characters")
	ErrUnknown   = errors.New("unknown API key")
	ErrRevoked   = errors.New("API key revoked")
	ErrExpired   = errors.New("API key expired")
	// ErrNoSuchKey: no key with that id in the caller's org.
	ErrNoSuchKey = errors.New("key not found")
)

// Generate returns a new key: the prefix and 43 URL-safe characters
// (32 random bytes).
func Generate() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// WellFormed reports whether s has the key format; it says nothing about
// whether the key exists.
func WellFormed(s string) bool {
	if len(s) < len(Prefix)+minSecretLen || len(s) > maxKeyLen || s[:len(Prefix)] != Prefix {
		return false
	}
	for i := len(Prefix); i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Hash is what the keys file stores: sha256 of the key, hex.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// DisplayPrefix is the part of a key that may be shown and logged.
func DisplayPrefix(key string) string {
	if len(key) <= displayLen {
		return key
	}
	return key[:displayLen]
}

// FromHeaders is the presented key: X-API-Key, else Authorization:
// Bearer, whatever the header case: HTTP headers arrive
// canonicalized (X-Api-Key), gRPC metadata lower-cased (x-api-key).
func FromHeaders(sources map[string][]string) string {
	var bearer string
	for name, values := range sources {
		if len(values) == 0 {
			continue
		}
		switch {
		case strings.EqualFold(name, "x-api-key"):
			return strings.TrimSpace(values[0])
		case strings.EqualFold(name, "authorization"):
			scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
			if ok && strings.EqualFold(scheme, "bearer") {
				bearer = strings.TrimSpace(token)
			}
		}
	}
	return bearer
}
