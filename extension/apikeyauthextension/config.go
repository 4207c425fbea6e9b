package apikeyauthextension // import "github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension"

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

// Config defines the API-key authenticator's settings.
type Config struct {
	// KeysFile is the keys file agoractl writes (hashes only). Required. A
	// missing file means no keys: every request is refused.
	KeysFile string `mapstructure:"keys_file"`
	// ReloadInterval is how often the file is re-read; a new, revoked or
	// deleted key takes effect within it. Default: 2s.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// Scope is what a key needs to pass this authenticator: ingest (the
	// default: receivers), read or admin. A key without it is refused like
	// an invalid one (HTTP 401, gRPC Unauthenticated), the reason naming
	// the scope. The UI checks read and admin itself.
	Scope apikey.Scope `mapstructure:"scope"`
}

var (
	errNoKeysFile        = errors.New("keys_file must be specified")
	errBadReloadInterval = errors.New("reload_interval must be between 100ms and 10s, so key changes apply within 10s")
)

// Validate checks the config.
func (cfg *Config) Validate() error {
	var errs error
	if cfg.KeysFile == "" {
		errs = errors.Join(errs, errNoKeysFile)
	}
	if cfg.ReloadInterval < 100*time.Millisecond || cfg.ReloadInterval > 10*time.Second {
		errs = errors.Join(errs, errBadReloadInterval)
	}
	if !slices.Contains(apikey.Scopes, cfg.Scope) {
		errs = errors.Join(errs, fmt.Errorf("scope %q: want one of %s", cfg.Scope, apikey.JoinScopes(apikey.Scopes)))
	}
	return errs
}
