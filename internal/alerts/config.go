// Package alerts evaluates an org's alert rules over its executions in
// ClickHouse and delivers the state changes to webhooks. Every replica
// runs it; ClickHouse's insert deduplication makes each state change, and
// each delivery attempt, one replica's (README, Alerts).
package alerts // import "github.com/agora-otelcol/agora-otelcol/internal/alerts"

import (
	"errors"
	"net/url"
	"time"
)

// Config of the evaluator and its webhooks.
type Config struct {
	// Enabled runs the evaluator and the deliveries. Default: true.
	Enabled bool `mapstructure:"enabled"`
	// Interval between evaluations of every rule. Default: 30s.
	Interval time.Duration `mapstructure:"interval"`
	// MaxRulesPerOrg bounds an org's rules. Default: 100.
	MaxRulesPerOrg int `mapstructure:"max_rules_per_org"`
	// PublicURL is the UI's address as users reach it; notifications link
	// to the executions there. Default: none (no link).
	PublicURL string `mapstructure:"public_url"`
	// Webhooks: how notifications are sent.
	Webhooks WebhookConfig `mapstructure:"webhooks"`
}

// WebhookConfig bounds deliveries.
type WebhookConfig struct {
	// Timeout of one attempt. Default: 10s.
	Timeout time.Duration `mapstructure:"timeout"`
	// InitialInterval is the wait after the first failed attempt, doubled
	// after each next one up to MaxInterval. Defaults: 5s, 5m.
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	MaxInterval     time.Duration `mapstructure:"max_interval"`
	// MaxAttempts, then the notification is abandoned. Default: 10.
	MaxAttempts int `mapstructure:"max_attempts"`
	// AllowPrivateNetworks lets webhooks reach loopback, private and
	// link-local addresses. Default: false — a rule's author must not make
	// the collector call the services next to it.
	AllowPrivateNetworks bool `mapstructure:"allow_private_networks"`
}

// NewDefaultConfig is the default configuration.
func NewDefaultConfig() Config {
	return Config{Enabled: true, Interval: 30 * time.Second, MaxRulesPerOrg: 100,
		Webhooks: WebhookConfig{Timeout: 10 * time.Second, InitialInterval: 5 * time.Second, MaxInterval: 5 * time.Minute, MaxAttempts: 10}}
}

var (
	ErrInterval  = errors.New("alerts: interval must be positive")
	ErrMaxRules  = errors.New("alerts: max_rules_per_org must be positive")
	ErrPublicURL = errors.New("alerts: public_url must be an http or https URL")
	ErrWebhooks  = errors.New("alerts: webhooks: timeout, initial_interval and max_attempts must be positive, max_interval at least initial_interval")
)

// Validate checks the config.
func (cfg *Config) Validate() error {
	var errs error
	if cfg.Interval <= 0 {
		errs = errors.Join(errs, ErrInterval)
	}
	if cfg.MaxRulesPerOrg <= 0 {
		errs = errors.Join(errs, ErrMaxRules)
	}
	if cfg.PublicURL != "" {
		if u, err := url.Parse(cfg.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = errors.Join(errs, ErrPublicURL)
		}
	}
	if w := cfg.Webhooks; w.Timeout <= 0 || w.InitialInterval <= 0 || w.MaxAttempts <= 0 || w.MaxInterval < w.InitialInterval {
		errs = errors.Join(errs, ErrWebhooks)
	}
	return errs
}
