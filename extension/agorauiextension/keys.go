package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

type keyView struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	LastUsed  *time.Time `json:"last_used"`
}

// listKeys: GET /api/keys: the org's keys, never a secret.
func (u *ui) listKeys(_ context.Context, c agora.Caller, _ *http.Request, _ []string) (any, error) {
	keys, err := u.keys.Keys(c.OrgID)
	if err != nil {
		return nil, err
	}
	views := make([]keyView, 0, len(keys))
	for _, k := range keys {
		v := keyView{ID: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt}
		if t, ok := u.keys.LastUsed(k.ID); ok {
			v.LastUsed = &t
		}
		views = append(views, v)
	}
	return map[string]any{"keys": views}, nil
}

// createKey: POST /api/keys {"name", "expires_in_days"}: the key is in the
// answer once and nowhere else.
func (u *ui) createKey(_ context.Context, c agora.Caller, r *http.Request, _ []string) (any, error) {
	var req struct {
		Name          string `json:"name"`
		ExpiresInDays int    `json:"expires_in_days"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 4096)).Decode(&req); err != nil {
		return nil, badParam("body", "must be a JSON object")
	}
	if strings.TrimSpace(req.Name) == "" {
		return nil, badParam("name", "required")
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > 3650 {
		return nil, badParam("expires_in_days", "must be from 0 (never) to 3650")
	}
	secret, key, err := u.keys.CreateKey(c.OrgID, strings.TrimSpace(req.Name), time.Duration(req.ExpiresInDays)*24*time.Hour)
	if err != nil {
		return nil, err
	}
	return map[string]any{"key": secret, "id": key.ID, "name": key.Name, "prefix": key.Prefix, "expires_at": key.ExpiresAt}, nil
}

// revokeKey: POST /api/keys/{id}/revoke, for the org's own keys only.
func (u *ui) revokeKey(_ context.Context, c agora.Caller, _ *http.Request, args []string) (any, error) {
	if err := u.keys.RevokeKey(c.OrgID, args[0]); errors.Is(err, apikey.ErrNoSuchKey) {
		return nil, apiError{http.StatusNotFound, "key not found"}
	} else if err != nil {
		return nil, err
	}
	return map[string]bool{"revoked": true}, nil
}
