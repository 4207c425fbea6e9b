package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

type keyView struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Scopes    []apikey.Scope `json:"scopes"`
	Prefix    string         `json:"prefix"`
	CreatedAt time.Time      `json:"created_at"`
	ExpiresAt *time.Time     `json:"expires_at"`
	RevokedAt *time.Time     `json:"revoked_at"`
	LastUsed  *time.Time     `json:"last_used"`
}

// listKeys: GET /api/keys: the org's keys, never a secret.
func (u *ui) listKeys(_ context.Context, k *apikey.Key, _ *http.Request, _ []string) (any, error) {
	keys, err := u.keys.Keys(k.OrgID)
	if err != nil {
		return nil, err
	}
	views := make([]keyView, 0, len(keys))
	for _, k := range keys {
		v := keyView{ID: k.ID, Name: k.Name, Scopes: k.ScopeNames(), Prefix: k.Prefix, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt}
		if t, ok := u.keys.LastUsed(k.ID); ok {
			v.LastUsed = &t
		}
		views = append(views, v)
	}
	return map[string]any{"keys": views}, nil
}

// createKey: POST /api/keys {"name", "scopes", "expires_in_days"}: the key
// is in the answer once and nowhere else. It can do no more, and live no
// longer, than the key that creates it.
func (u *ui) createKey(_ context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	var req struct {
		Name          string   `json:"name"`
		Scopes        []string `json:"scopes"`
		ExpiresInDays int      `json:"expires_in_days"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 4096)).Decode(&req); err != nil {
		return nil, badParam("body", "must be a JSON object")
	}
	if strings.TrimSpace(req.Name) == "" {
		return nil, badParam("name", "required")
	}
	scopes := apikey.DefaultScopes
	if len(req.Scopes) > 0 {
		var err error
		if scopes, err = apikey.ParseScopes(strings.Join(req.Scopes, ",")); err != nil {
			return nil, badParam("scopes", err.Error())
		}
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > 3650 {
		return nil, badParam("expires_in_days", "must be from 0 (never) to 3650")
	}
	secret, key, err := u.keys.CreateKey(k, strings.TrimSpace(req.Name), scopes, time.Duration(req.ExpiresInDays)*24*time.Hour)
	if errors.Is(err, apikey.ErrWider) {
		return nil, apiError{http.StatusForbidden, err.Error()}
	} else if err != nil {
		return nil, err
	}
	return map[string]any{"key": secret, "id": key.ID, "name": key.Name, "scopes": key.Scopes, "prefix": key.Prefix, "expires_at": key.ExpiresAt}, nil
}

// revokeKey: POST /api/keys/{id}/revoke, for the org's own keys only; the
// key's UI sessions end with it.
func (u *ui) revokeKey(_ context.Context, k *apikey.Key, _ *http.Request, args []string) (any, error) {
	if err := u.keys.RevokeKey(k, args[0]); errors.Is(err, apikey.ErrNoSuchKey) {
		return nil, apiError{http.StatusNotFound, "key not found"}
	} else if err != nil {
		return nil, err
	}
	u.sessions.endKey(args[0])
	return map[string]bool{"revoked": true}, nil
}
