package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Config defines the ClickHouse exporter's settings.
type Config struct {
	// Endpoint is the ClickHouse server: tcp://host:9000 (native protocol,
	// also spelled clickhouse://) or http(s)://host:8123. Required.
	Endpoint string `mapstructure:"endpoint"`
	// Username to authenticate with. Default: "" (the server's default user).
	Username string `mapstructure:"username"`
	// Password to authenticate with. Default: "".
	Password configopaque.String `mapstructure:"password"`
	// Database holds every table. Default: "agora". Created when create_schema is true.
	Database string `mapstructure:"database"`
	// TLS configures the client's TLS. Default: insecure: true (plaintext);
	// an https:// endpoint or insecure: false turns TLS on.
	TLS configtls.ClientConfig `mapstructure:"tls"`
	// TTL drops data older than this. Default: 0 (keep forever). Applied when a
	// table is created; changing it later needs an ALTER TABLE ... MODIFY TTL.
	TTL time.Duration `mapstructure:"ttl"`
	// CreateSchema runs the versioned migrations on start. Default: true. Set
	// it to false when a DBA manages the schema (see README for the DDL).
	CreateSchema bool `mapstructure:"create_schema"`
	// DialTimeout bounds connecting to ClickHouse. Default: 10s.
	DialTimeout time.Duration `mapstructure:"dial_timeout"`
	// ConnectionParams are extra ClickHouse settings sent with every query,
	// e.g. max_insert_threads. Default: async_insert=0 only.
	ConnectionParams map[string]string `mapstructure:"connection_params"`

	// Timeout bounds one insert attempt. Default: 10s.
	Timeout time.Duration `mapstructure:"timeout"`
	// RetryConfig retries failed inserts with backoff. Default: enabled, 5s initial, 30s max, 5m total.
	RetryConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`
	// QueueConfig is exporterhelper's sending queue; its batch section decides
	// insert sizes. Default: 1000-request queue, batches of 10k-50k items or 1s.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
}

var (
	errNoEndpoint      = errors.New("endpoint must be specified")
	errBadEndpoint     = errors.New("endpoint must be tcp://, clickhouse://, http:// or https:// with host:port")
	errBadDatabase     = errors.New("database must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)")
	errNegativeTTL     = errors.New("ttl must not be negative")
	errBadDialTimeout  = errors.New("dial_timeout must be positive")
	errBadTimeout      = errors.New("timeout must be positive")
	identifierPattern  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	nativeSchemes      = map[string]bool{"tcp": true, "clickhouse": true}
	httpSchemes        = map[string]bool{"http": true, "https": true}
	defaultDatabase    = "agora"
	defaultTimeout     = 10 * time.Second
	defaultDialTimeout = 10 * time.Second
)

// Validate checks the config without contacting ClickHouse.
func (cfg *Config) Validate() error {
	var errs error
	if cfg.Endpoint == "" {
		errs = errors.Join(errs, errNoEndpoint)
	} else if _, err := cfg.endpointURL(); err != nil {
		errs = errors.Join(errs, err)
	}
	if !identifierPattern.MatchString(cfg.Database) {
		errs = errors.Join(errs, errBadDatabase)
	}
	if cfg.TTL < 0 {
		errs = errors.Join(errs, errNegativeTTL)
	}
	if cfg.DialTimeout <= 0 {
		errs = errors.Join(errs, errBadDialTimeout)
	}
	if cfg.Timeout <= 0 {
		errs = errors.Join(errs, errBadTimeout)
	}
	return errs
}

func (cfg *Config) endpointURL() (*url.URL, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadEndpoint, err)
	}
	if (!nativeSchemes[u.Scheme] && !httpSchemes[u.Scheme]) || u.Host == "" || u.Port() == "" {
		return nil, fmt.Errorf("%w (got scheme %q, host %q)", errBadEndpoint, u.Scheme, u.Host)
	}
	return u, nil
}

// clickhouseOptions builds the driver options. It reads files (TLS) so it runs in Start.
func (cfg *Config) clickhouseOptions(ctx context.Context) (*clickhouse.Options, error) {
	u, err := cfg.endpointURL()
	if err != nil {
		return nil, err
	}
	opts := &clickhouse.Options{
		Addr: []string{u.Host},
		Auth: clickhouse.Auth{
			// Statements name the database themselves, so the connection does
			// not depend on it existing yet.
			Database: "default",
			Username: cfg.Username,
			Password: string(cfg.Password),
		},
		Protocol:    clickhouse.Native,
		DialTimeout: cfg.DialTimeout,
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
		// exporterhelper already makes large batches. Synchronous inserts
		// ack only what is in a part, and keep block deduplication on, which
		// async inserts skip (the server default here is async_insert=1).
		Settings: clickhouse.Settings{"async_insert": 0},
	}
	if httpSchemes[u.Scheme] {
		opts.Protocol = clickhouse.HTTP
	}
	for k, v := range cfg.ConnectionParams {
		opts.Settings[k] = v
	}
	// Plaintext is the default (tls.insecure: true) so tcp://localhost works;
	// https:// or tls.insecure: false turns TLS on.
	if u.Scheme == "https" || !cfg.TLS.Insecure {
		tlsCfg, err := cfg.TLS.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load tls config: %w", err)
		}
		opts.TLS = tlsCfg
	}
	return opts, nil
}
