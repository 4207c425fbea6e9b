package clickhouseexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
)

func loadConfig(t *testing.T, id string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	sub, err := cm.Sub(component.MustNewIDWithName(metadata.Type.String(), id).String())
	if id == "" {
		sub, err = cm.Sub(metadata.Type.String())
	}
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		cfg := loadConfig(t, "")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, "tcp://127.0.0.1:9000", cfg.Endpoint)
		assert.Equal(t, "agora", cfg.Database)
		assert.True(t, cfg.CreateSchema)
		assert.True(t, cfg.TLS.Insecure)
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
		assert.Equal(t, "telemetry", cfg.Database)
		assert.Equal(t, "s3cret", string(cfg.Password))
		assert.Equal(t, 720*time.Hour, cfg.TTL)
		assert.False(t, cfg.CreateSchema)
		assert.False(t, cfg.TLS.Insecure)
		assert.Equal(t, "ca.pem", cfg.TLS.CAFile)
		assert.Equal(t, map[string]string{"max_insert_threads": "4"}, cfg.ConnectionParams)
		q := cfg.QueueConfig.Get()
		assert.Equal(t, int64(500), q.QueueSize)
		require.NotNil(t, q.StorageID)
		assert.Equal(t, "file_storage/clickhouse", q.StorageID.String())
		assert.Equal(t, int64(20_000), q.Batch.Get().MaxSize)
	})
}

func TestConfigValidateErrors(t *testing.T) {
	for id, want := range map[string]error{
		"no_endpoint":  errNoEndpoint,
		"bad_scheme":   errBadEndpoint,
		"no_port":      errBadEndpoint,
		"bad_database": errBadDatabase,
		"negative_ttl": errNegativeTTL,
	} {
		t.Run(id, func(t *testing.T) {
			err := loadConfig(t, id).Validate()
			require.ErrorIs(t, err, want)
		})
	}
}

func TestPasswordNotPrinted(t *testing.T) {
	cfg := loadConfig(t, "full")
	assert.NotContains(t, cfg.Password.String(), "s3cret")
}
