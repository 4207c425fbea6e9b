package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

// Config defines the UI extension's settings.
type Config struct {
	// HTTP is the server. Default endpoint: localhost:8080. auth is required
	// and must name the apikeyauth extension: the API answers only with a
	// key, for that key's org, and the settings page manages keys through
	// that extension (its keys_file). Pages and assets need no key.
	HTTP confighttp.ServerConfig `mapstructure:"http"`
	// ClickHouse is where the exporter stores the data: the same connection
	// settings as the exporter's. endpoint is required.
	ClickHouse chclient.Config `mapstructure:"clickhouse"`
	// QueryTimeout bounds one API call's queries. Default: 10s.
	QueryTimeout time.Duration `mapstructure:"query_timeout"`
}

var (
	errNoAuth  = errors.New("http.auth must name the apikeyauth extension: every answer is scoped to the key's org")
	errTimeout = errors.New("query_timeout must be positive")
)

// Validate checks the config.
func (cfg *Config) Validate() error {
	errs := cfg.ClickHouse.Validate()
	if !cfg.HTTP.Auth.HasValue() {
		errs = errors.Join(errs, errNoAuth)
	}
	if cfg.QueryTimeout <= 0 {
		errs = errors.Join(errs, errTimeout)
	}
	return errs
}
