package apikeyauthextension

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	id := component.NewID(metadata.Type)
	if name != "" {
		id = component.NewIDWithName(metadata.Type, name)
	}
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	cfg := loadConfig(t, "")
	require.NoError(t, cfg.Validate())
	assert.Equal(t, &Config{KeysFile: "data/keys.yaml", ReloadInterval: 2 * time.Second}, cfg)

	cfg = loadConfig(t, "fast")
	require.NoError(t, cfg.Validate())
	assert.Equal(t, 500*time.Millisecond, cfg.ReloadInterval)

	assert.ErrorIs(t, loadConfig(t, "no_file").Validate(), errNoKeysFile)
	assert.ErrorIs(t, loadConfig(t, "slow").Validate(), errBadReloadInterval)
}
