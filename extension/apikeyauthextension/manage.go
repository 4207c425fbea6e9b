package apikeyauthextension // import "github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension"

import (
	"time"

	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

var _ apikey.Manager = (*authenticator)(nil)

// Verify checks a presented key, whatever its scopes.
func (a *authenticator) Verify(presented string) (*apikey.Key, error) {
	k, err := a.store.Verify(presented, a.now())
	if err == nil {
		a.markUsed(k.ID)
	}
	return k, err
}

// Current is the key with this id if it may still be used.
func (a *authenticator) Current(id string) (*apikey.Key, error) {
	return a.store.Current(id, a.now())
}

// Keys lists the org's keys from the keys file.
func (a *authenticator) Keys(orgID string) ([]apikey.Key, error) {
	f, err := apikey.Load(a.cfg.KeysFile)
	if err != nil {
		return nil, err
	}
	keys := []apikey.Key{}
	for _, k := range f.Keys {
		if k.OrgID == orgID {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// CreateKey adds a key to the creator's org, no wider than the creator,
// and applies it at once.
func (a *authenticator) CreateKey(creator *apikey.Key, name string, scopes []apikey.Scope, ttl time.Duration) (string, apikey.Key, error) {
	now := a.now()
	var expires *time.Time
	if ttl > 0 {
		t := now.UTC().Add(ttl)
		expires = &t
	}
	if len(scopes) == 0 {
		scopes = apikey.DefaultScopes
	}
	if err := creator.MayCreate(scopes, expires); err != nil {
		return "", apikey.Key{}, err
	}
	var secret string
	var key apikey.Key
	err := a.update(func(f *apikey.File) (err error) {
		secret, key, err = f.CreateKeyInOrg(creator.OrgID, name, scopes, ttl, now)
		return err
	})
	return secret, key, err
}

// RevokeKey revokes one of the creator's org's keys (admin scope) and
// applies it at once.
func (a *authenticator) RevokeKey(creator *apikey.Key, keyID string) error {
	if err := creator.Require(apikey.ScopeAdmin); err != nil {
		return err
	}
	return a.update(func(f *apikey.File) error {
		for _, k := range f.Keys {
			if k.ID == keyID && k.OrgID == creator.OrgID {
				return f.Revoke(keyID, a.now())
			}
		}
		return apikey.ErrNoSuchKey
	})
}

// update changes the keys file and reloads it, so a revocation through this
// process applies before the answer, not at the next poll.
func (a *authenticator) update(change func(*apikey.File) error) error {
	warning, err := apikey.Update(a.cfg.KeysFile, change)
	if err != nil {
		return err
	}
	if warning != "" {
		a.logger.Warn(warning, zap.String("keys_file", a.cfg.KeysFile))
	}
	return a.reload()
}
