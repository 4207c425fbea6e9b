package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"errors"
	"regexp"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
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
	errBadEndpoint     = chclient.ErrBadEndpoint
	errBadDatabase     = errors.New("database must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)")
	errNegativeTTL     = errors.New("ttl must not be negative")
	errBadDialTimeout  = errors.New("dial_timeout must be positive")
	errBadTimeout      = errors.New("timeout must be positive")
	identifierPattern  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	defaultDatabase    = "agora"
	defaultTimeout     = 10 * time.Second
	defaultDialTimeout = 10 * time.Second
)

// Validate checks the config without contacting ClickHouse.
func (cfg *Config) Validate() error {
	var errs error
	if cfg.Endpoint == "" {
		errs = errors.Join(errs, errNoEndpoint)
	} else if _, err := chclient.EndpointURL(cfg.Endpoint); err != nil {
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

// settings are the connection settings in the shared client's terms.
func (cfg *Config) settings() chclient.Settings {
	return chclient.Settings{
		Endpoint: cfg.Endpoint, Username: cfg.Username, Password: cfg.Password, TLS: cfg.TLS,
		DialTimeout: cfg.DialTimeout, ConnectionParams: cfg.ConnectionParams,
	}
}
