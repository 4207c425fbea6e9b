package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/httpjson"
)

var (
	errSignIn       = apiError{http.StatusUnauthorized, "sign in (POST /api/session with a read or admin key) or send X-API-Key"}
	errIngestOnly   = apiError{http.StatusForbidden, "this key can only send telemetry (scope ingest): sign in with a read or admin key (agoractl keys create --scope read)"}
	errCrossOrigin  = apiError{http.StatusForbidden, "cross-origin request refused"}
	errNoKeyManager = apiError{http.StatusUnauthorized, "no authenticator configured"}
)

// caller is who calls the API: a script's key (X-API-Key or Bearer), else
// the browser's session, whose key is looked up again on every request so
// that revoking or expiring it ends the session.
func (u *ui) caller(r *http.Request) (*apikey.Key, error) {
	if u.keys == nil {
		return nil, errNoKeyManager
	}
	if presented := apikey.FromHeaders(r.Header); presented != "" {
		k, err := u.keys.Verify(presented)
		if err != nil {
			return nil, apiError{http.StatusUnauthorized, err.Error()}
		}
		return k, nil
	}
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, errSignIn
	}
	keyID, ok := u.sessions.lookup(c.Value)
	if !ok {
		return nil, errSignIn
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
		return nil, errCrossOrigin
	}
	k, err := u.keys.Current(keyID)
	if err != nil {
		u.sessions.endKey(keyID)
		return nil, apiError{http.StatusUnauthorized, "session ended: " + err.Error()}
	}
	return k, nil
}

// session is /api/session: POST {"key"} signs in (read scope), DELETE
// signs out.
func (u *ui) session(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		if u.keys == nil {
			u.answerError(w, r, errNoKeyManager)
			return
		}
		if !sameOrigin(r) {
			u.answerError(w, r, errCrossOrigin)
			return
		}
		var req struct {
			Key string `json:"key"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 4096)).Decode(&req); err != nil {
			u.answerError(w, r, badParam("body", `must be a JSON object {"key": "agora_…"}`))
			return
		}
		k, err := u.keys.Verify(strings.TrimSpace(req.Key))
		if err != nil {
			u.answerError(w, r, apiError{http.StatusUnauthorized, "key: " + err.Error()})
			return
		}
		if !k.Has(apikey.ScopeRead) {
			u.answerError(w, r, errIngestOnly)
			return
		}
		u.sessions.setCookie(w, r, u.sessions.create(k.ID))
		u.write(w, r, http.StatusOK, map[string]any{"org_id": k.OrgID, "org_name": k.OrgName, "key_name": k.Name, "scopes": k.ScopeNames()})
	case http.MethodDelete:
		if c, err := r.Cookie(cookieName); err == nil {
			u.sessions.end(c.Value)
		}
		u.sessions.setCookie(w, r, "")
		u.write(w, r, http.StatusOK, map[string]bool{"signed_out": true})
	default:
		w.Header().Set("Allow", "POST, DELETE")
		httpjson.Detail(w, http.StatusMethodNotAllowed, "method not allowed: POST to sign in, DELETE to sign out")
	}
}

// sameOrigin: a browser's state-changing request comes from our own page.
// SameSite=Strict already keeps the cookie off other sites' requests; this
// also refuses a sign-in posted from another site.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a browser's cross-site request: browsers send Origin on POST
	}
	o, err := url.Parse(origin)
	return err == nil && o.Host == r.Host
}
