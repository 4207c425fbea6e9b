package clickhouseexporter

import (
	"testing"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

func loadConfig(t *testing.T, name string) *Config {
	return testutil.LoadConfig[Config](t, NewFactory(), name)
}

func TestLoadConfig(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		cfg := loadConfig(t, "")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, "tcp://127.0.0.1:9000", cfg.Connection.Endpoint)
		assert.Equal(t, "agora", cfg.Connection.DatabaseName())
		assert.True(t, cfg.CreateSchema)
		assert.True(t, cfg.Connection.TLS.Insecure)
		assert.Equal(t, 10*time.Second, cfg.Connection.DialTimeout)
		assert.Equal(t, 10*time.Second, cfg.Timeout)
		assert.Equal(t, time.Duration(0), cfg.TTL)
		require.True(t, cfg.QueueConfig.HasValue())
		batch := cfg.QueueConfig.Get().Batch.Get()
		assert.Equal(t, int64(10_000), batch.MinSize)
		assert.Equal(t, int64(50_000), batch.MaxSize)
		assert.Equal(t, time.Second, batch.FlushTimeout)
	})
	t.Run("full", func(t *testing.T) {
		cfg := loadConfig(t, "full")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, "telemetry", cfg.Connection.DatabaseName())
		assert.Equal(t, "s3cret", string(cfg.Connection.Password))
		assert.Equal(t, 3*time.Second, cfg.Connection.DialTimeout)
		assert.Equal(t, 720*time.Hour, cfg.TTL)
		assert.False(t, cfg.CreateSchema)
		assert.False(t, cfg.Connection.TLS.Insecure)
		assert.Equal(t, "ca.pem", cfg.Connection.TLS.CAFile)
		assert.Equal(t, map[string]string{"max_insert_threads": "4"}, cfg.Connection.ConnectionParams)
		q := cfg.QueueConfig.Get()
		assert.Equal(t, int64(500), q.QueueSize)
		require.NotNil(t, q.StorageID)
		assert.Equal(t, "file_storage/clickhouse", q.StorageID.String())
		assert.Equal(t, int64(20_000), q.Batch.Get().MaxSize)
	})
}

func TestConfigValidateErrors(t *testing.T) {
	for id, want := range map[string]error{
		"no_endpoint":  chclient.ErrNoEndpoint,
		"bad_scheme":   chclient.ErrBadEndpoint,
		"no_port":      chclient.ErrBadEndpoint,
		"bad_database": chclient.ErrBadDatabase,
		"negative_ttl": errNegativeTTL,
		"zero_timeout": errBadTimeout,
	} {
		t.Run(id, func(t *testing.T) {
			err := loadConfig(t, id).Validate()
			require.ErrorIs(t, err, want)
		})
	}
}

func TestPasswordNotPrinted(t *testing.T) {
	cfg := loadConfig(t, "full")
	assert.NotContains(t, cfg.Connection.Password.String(), "s3cret")
}
