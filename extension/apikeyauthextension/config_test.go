package apikeyauthextension

import (
	"testing"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
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
	assert.Equal(t, &Config{KeysFile: "data/keys.yaml", ReloadInterval: 2 * time.Second, Scope: apikey.ScopeIngest}, cfg)

	cfg = loadConfig(t, "fast")
	require.NoError(t, cfg.Validate())
	assert.Equal(t, 500*time.Millisecond, cfg.ReloadInterval)

	assert.ErrorIs(t, loadConfig(t, "no_file").Validate(), errNoKeysFile)
	assert.ErrorIs(t, loadConfig(t, "slow").Validate(), errBadReloadInterval)
	assert.Equal(t, apikey.ScopeRead, loadConfig(t, "read").Scope)
	assert.ErrorContains(t, loadConfig(t, "bad_scope").Validate(), `scope "everything": want one of ingest, read, admin`)
}
