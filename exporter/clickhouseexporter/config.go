package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
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
	// RetryConfig retries failed inserts with backoff. Default: enabled, 1s
	// initial, 4s max, max_elapsed_time 0: a temporary error is retried
	// until it clears, however long (the queue's size bounds what waits).
	// Rows ClickHouse refuses are not retried: they go to dead_letters.
	RetryConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`
	// QueueConfig is exporterhelper's sending queue; its batch section decides
	// insert sizes. Default: in memory, 1000 requests, batches of 10k-50k
	// items or 1s. Set storage (wal_storage) to keep it on disk, and sizer:
	// bytes to bound it by disk use: every shipped config does both.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	// Timestamps bounds the time of stored rows around the insert time
	// (tables are partitioned by time; ClickHouse refuses a block spanning
	// over 100 partitions): span, log and event times outside it are
	// clamped to it, the original kept in the agora.original_timestamp
	// attribute. Default: past 720h, future 24h; 0 disables a bound.
	Timestamps agora.TimeWindow `mapstructure:"timestamps"`
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
	if err := cfg.Timestamps.Validate(); err != nil {
		errs = errors.Join(errs, fmt.Errorf("timestamps: %w", err))
	}
	return errs
}
