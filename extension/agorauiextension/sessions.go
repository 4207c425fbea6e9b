package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// cookieName holds the session token: httpOnly, so page scripts never see
// it, and SameSite=Strict, so no other site's page can send it.
const cookieName = "agora_session"

// maxSessionsPerKey bounds what signing in again and again can hold.
const maxSessionsPerKey = 50

// session is a signed-in browser: the key it signed in with (checked again
// on every request, so revoking the key ends the session) and its times.
type session struct {
	keyID           string
	created, seenAt time.Time
}

// sessions are held in memory by token hash: a token is worth nothing once
// the process ends (users sign in again), and a leaked memory dump holds no
// usable token.
type sessions struct {
	idle, maxAge time.Duration
	now          func() time.Time

	mu    sync.Mutex
	byTok map[[sha256.Size]byte]*session
}

func newSessions(idle, maxAge time.Duration) *sessions {
	return &sessions{idle: idle, maxAge: maxAge, now: time.Now, byTok: map[[sha256.Size]byte]*session{}}
}

// create starts a session for the key and returns its token.
func (s *sessions) create(keyID string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	var oldest [sha256.Size]byte
	n := 0
	for h, ss := range s.byTok {
		if ss.keyID == keyID {
			if n == 0 || ss.created.Before(s.byTok[oldest].created) {
				oldest = h
			}
			n++
		}
	}
	if n >= maxSessionsPerKey {
		delete(s.byTok, oldest)
	}
	s.byTok[sha256.Sum256([]byte(tok))] = &session{keyID: keyID, created: now, seenAt: now}
	return tok
}

// lookup returns the session's key id and marks it seen; expired sessions
// (idle or too old) are gone.
func (s *sessions) lookup(tok string) (string, bool) {
	h := sha256.Sum256([]byte(tok))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byTok[h]
	if !ok {
		return "", false
	}
	if s.expired(ss, now) {
		delete(s.byTok, h)
		return "", false
	}
	ss.seenAt = now
	return ss.keyID, true
}

// end removes one session (sign-out).
func (s *sessions) end(tok string) {
	s.mu.Lock()
	delete(s.byTok, sha256.Sum256([]byte(tok)))
	s.mu.Unlock()
}

// endKey removes every session of a key (revoked).
func (s *sessions) endKey(keyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, ss := range s.byTok {
		if ss.keyID == keyID {
			delete(s.byTok, h)
		}
	}
}

func (s *sessions) expired(ss *session, now time.Time) bool {
	return now.Sub(ss.seenAt) >= s.idle || now.Sub(ss.created) >= s.maxAge
}

func (s *sessions) sweep(now time.Time) {
	for h, ss := range s.byTok {
		if s.expired(ss, now) {
			delete(s.byTok, h)
		}
	}
}

// setCookie sets (or, with an empty token, clears) the session cookie.
// Secure when the browser reached us over TLS, directly or through a
// TLS-terminating proxy.
func (s *sessions) setCookie(w http.ResponseWriter, r *http.Request, tok string) {
	c := &http.Cookie{
		Name: cookieName, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
		MaxAge: int(s.maxAge / time.Second),
	}
	if tok == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}
