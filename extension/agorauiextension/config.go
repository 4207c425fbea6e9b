package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/agora-otelcol/agora-otelcol/internal/alerts"
	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

// Config defines the UI extension's settings.
type Config struct {
	// HTTP is the server. Default endpoint: localhost:8080. No auth here:
	// the UI checks keys itself (API keys for scripts, sessions for
	// browsers) through Authenticator.
	HTTP confighttp.ServerConfig `mapstructure:"http"`
	// Authenticator is the apikeyauth extension whose keys sign in (read
	// scope; admin for key management) and which manages the keys the
	// settings page shows. Required.
	Authenticator component.ID `mapstructure:"authenticator"`
	// Session bounds a browser's sign-in.
	Session SessionConfig `mapstructure:"session"`
	// ClickHouse is where the exporter stores the data: the same connection
	// settings as the exporter's. endpoint is required.
	ClickHouse chclient.Config `mapstructure:"clickhouse"`
	// QueryTimeout bounds one API call's queries. Default: 10s.
	QueryTimeout time.Duration `mapstructure:"query_timeout"`
	// Alerts: rules evaluated against ClickHouse, notified to webhooks.
	Alerts alerts.Config `mapstructure:"alerts"`
	// Live bounds the live tail's streams.
	Live LiveConfig `mapstructure:"live"`
}

// SessionConfig: a session ends after IdleTimeout without a request or
// MaxAge after sign-in, whichever comes first; at sign-out; and when its
// key is revoked or expires.
type SessionConfig struct {
	// IdleTimeout. Default: 30m.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// MaxAge. Default: 12h.
	MaxAge time.Duration `mapstructure:"max_age"`
}

var (
	errNoAuthenticator = errors.New("authenticator must name the apikeyauth extension: the UI signs in with its keys, for that key's org")
	errHTTPAuth        = errors.New("http.auth is not used by the UI: remove it and set authenticator (the UI checks keys and sessions itself)")
	errTimeout         = errors.New("query_timeout must be positive")
	errSession         = errors.New("session: idle_timeout and max_age must be positive, idle_timeout at most max_age")
)

// Validate checks the config.
func (cfg *Config) Validate() error {
	errs := errors.Join(cfg.ClickHouse.Validate(), cfg.Alerts.Validate(), cfg.Live.Validate())
	if cfg.Authenticator == (component.ID{}) {
		errs = errors.Join(errs, errNoAuthenticator)
	}
	if cfg.HTTP.Auth.HasValue() {
		errs = errors.Join(errs, errHTTPAuth)
	}
	if cfg.QueryTimeout <= 0 {
		errs = errors.Join(errs, errTimeout)
	}
	if s := cfg.Session; s.IdleTimeout <= 0 || s.MaxAge <= 0 || s.IdleTimeout > s.MaxAge {
		errs = errors.Join(errs, errSession)
	}
	return errs
}
