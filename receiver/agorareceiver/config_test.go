package agorareceiver

import (
	"testing"

	"github.com/agora-otelcol/agora-otelcol/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadConfig(t *testing.T, name string) *Config {
	return testutil.LoadConfig[Config](t, NewFactory(), name)
}

func TestLoadConfig(t *testing.T) {
	cfg := loadConfig(t, "")
	require.NoError(t, cfg.Validate())
	assert.Equal(t, "localhost:8000", cfg.HTTP.NetAddr.Endpoint, "the Agora SDKs' default URL")
	assert.Equal(t, int64(10<<20), cfg.HTTP.MaxRequestBodySize)
	assert.Equal(t, 10_000, cfg.MaxBatchItems)

	full := loadConfig(t, "full")
	require.NoError(t, full.Validate())
	assert.Equal(t, "0.0.0.0:9000", full.HTTP.NetAddr.Endpoint)
	assert.Equal(t, int64(1<<20), full.HTTP.MaxRequestBodySize)
	assert.Equal(t, "apikeyauth/sdk", full.HTTP.Auth.Get().Config.AuthenticatorID.String())
	assert.Equal(t, 500, full.MaxBatchItems)
	assert.NotContains(t, full.ExecutionIDSecret.String(), "0123", "the secret never prints")
}

func TestConfigValidateErrors(t *testing.T) {
	for name, want := range map[string]error{
		"no_auth":             errNoAuth,
		"short_secret":        errShortSecret,
		"bad_max_batch_items": errBadMaxBatchSize,
	} {
		t.Run(name, func(t *testing.T) { assert.ErrorIs(t, loadConfig(t, name).Validate(), want) })
	}
}
