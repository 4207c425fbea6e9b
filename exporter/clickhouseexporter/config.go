package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

// Config defines the ClickHouse exporter's settings.
type Config struct {
	// Connection is the ClickHouse server or cluster: endpoint (a DSN),
	// credentials, database (default agora), TLS, dial_timeout,
	// connection_params. endpoint is required.
	Connection chclient.Config `mapstructure:"connection"`
	// TTL drops data older than this. Default: 0 (keep forever). Applied when a
	// table is created; changing it later needs an ALTER TABLE ... MODIFY TTL.
	TTL time.Duration `mapstructure:"ttl"`
	// CreateSchema runs the versioned migrations on start. Default: true. Set
	// it to false when a DBA manages the schema (see README for the DDL).
	CreateSchema bool `mapstructure:"create_schema"`
	// Timeout bounds one insert attempt. Default: 10s.
	Timeout time.Duration `mapstructure:"timeout"`
	// RetryConfig retries failed inserts with backoff. Default: enabled, 5s initial, 30s max, 5m total.
	RetryConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`
	// QueueConfig is exporterhelper's sending queue; its batch section decides
	// insert sizes. Default: 1000-request queue, batches of 10k-50k items or 1s.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
}

var (
	errNegativeTTL = errors.New("ttl must not be negative")
	errBadTimeout  = errors.New("timeout must be positive")
)

// Validate checks the config without contacting ClickHouse.
func (cfg *Config) Validate() error {
	errs := cfg.Connection.Validate()
	if cfg.TTL < 0 {
		errs = errors.Join(errs, errNegativeTTL)
	}
	if cfg.Timeout <= 0 {
		errs = errors.Join(errs, errBadTimeout)
	}
	return errs
}
