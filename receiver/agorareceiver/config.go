package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Config defines the Agora receiver's settings.
type Config struct {
	// HTTP is the server (endpoint, TLS, auth, limits, decompression).
	// Default endpoint: localhost:8000, the Agora SDKs' default URL. Default
	// max_request_body_size: 10 MiB (larger bodies get 413). auth is required:
	// every item belongs to the org of the request's API key.
	HTTP confighttp.ServerConfig `mapstructure:"http"`
	// ExecutionIDSecret keys the MAC inside execution ids that proves which org
	// started an execution. Required, at least 32 characters; every replica
	// that may receive an execution's telemetry needs the same secret, and it
	// must survive restarts. Changing it orphans running executions (404).
	ExecutionIDSecret configopaque.String `mapstructure:"execution_id_secret"`
	// MaxBatchItems bounds the items of one /telemetry/batch (all lists
	// together). Default: 10000.
	MaxBatchItems int `mapstructure:"max_batch_items"`
	// Timestamps is how far from now an item's timestamps may be; an item
	// outside is refused (400 naming the field; in a batch, that item only).
	// Default: past 720h, future 24h (naive local times from SDKs east of
	// UTC look ahead by up to 14 h). 0 disables a bound.
	Timestamps agora.TimeWindow `mapstructure:"timestamps"`
}

var (
	errNoAuth          = errors.New("http.auth must name an authenticator (apikeyauth): every item belongs to the org of its API key")
	errShortSecret     = errors.New("execution_id_secret must be at least 32 characters")
	errBadMaxBatchSize = errors.New("max_batch_items must be positive")
)

// Validate checks the config.
func (cfg *Config) Validate() error {
	var errs error
	if !cfg.HTTP.Auth.HasValue() {
		errs = errors.Join(errs, errNoAuth)
	}
	if len(cfg.ExecutionIDSecret) < 32 {
		errs = errors.Join(errs, errShortSecret)
	}
	if cfg.MaxBatchItems <= 0 {
		errs = errors.Join(errs, errBadMaxBatchSize)
	}
	if err := cfg.Timestamps.Validate(); err != nil {
		errs = errors.Join(errs, fmt.Errorf("timestamps: %w", err))
	}
	return errs
}
