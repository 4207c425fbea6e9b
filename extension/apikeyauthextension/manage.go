package apikeyauthextension // import "github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension"

import (
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

var _ apikey.Manager = (*authenticator)(nil)

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

// CreateKey adds a key to the org and applies it at once.
func (a *authenticator) CreateKey(orgID, name string, ttl time.Duration) (string, apikey.Key, error) {
	var secret string
	var key apikey.Key
	err := a.update(func(f *apikey.File) (err error) {
		secret, key, err = f.CreateKeyInOrg(orgID, name, ttl, a.now())
		return err
	})
	return secret, key, err
}

// RevokeKey revokes one of the org's keys and applies it at once.
func (a *authenticator) RevokeKey(orgID, keyID string) error {
	return a.update(func(f *apikey.File) error {
		for _, k := range f.Keys {
			if k.ID == keyID && k.OrgID == orgID {
				return f.Revoke(keyID, a.now())
			}
		}
		return apikey.ErrNoSuchKey
	})
}

// update changes the keys file and reloads it, so a revocation through this
// process applies before the answer, not at the next poll.
func (a *authenticator) update(change func(*apikey.File) error) error {
	if err := apikey.Update(a.cfg.KeysFile, change); err != nil {
		return err
	}
	return a.reload()
}
