package agorahealthextension

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

func loadConfig(t *testing.T, name string) *Config {
	return testutil.LoadConfig[Config](t, NewFactory(), name)
}

func TestLoadConfig(t *testing.T) {
	def := loadConfig(t, "")
	require.NoError(t, def.Validate())
	assert.Equal(t, "localhost:13134", def.HTTP.NetAddr.Endpoint)
	assert.Equal(t, "/ready", def.Path)
	custom := loadConfig(t, "custom")
	require.NoError(t, custom.Validate())
	assert.Equal(t, "0.0.0.0:9999", custom.HTTP.NetAddr.Endpoint)
	assert.Equal(t, "/readyz", custom.Path)
	assert.ErrorIs(t, loadConfig(t, "bad_path").Validate(), errPath)
}
