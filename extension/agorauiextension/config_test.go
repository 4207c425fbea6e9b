package agorauiextension

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

func load(t *testing.T, name string) *Config {
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

func TestConfig(t *testing.T) {
	cfg := load(t, "")
	require.NoError(t, cfg.Validate())
	assert.Equal(t, "agora", cfg.ClickHouse.Database)
	assert.Equal(t, 10*time.Second, cfg.QueryTimeout)
	assert.True(t, cfg.HTTP.Auth.HasValue())

	full := load(t, "full")
	require.NoError(t, full.Validate())
	assert.Equal(t, "telemetry", full.ClickHouse.Database)
	assert.Equal(t, 3*time.Second, full.QueryTimeout)

	err := load(t, "bad").Validate()
	assert.ErrorIs(t, err, chclient.ErrBadEndpoint)
	assert.ErrorIs(t, err, errDatabase)
	assert.ErrorIs(t, err, errNoKeysFile)
	assert.ErrorIs(t, err, errTimeout)
}

func TestQueriesRender(t *testing.T) {
	for _, name := range []string{"list", "counts", "execution", "nodes", "spans", "events", "snapshots", "workflows", "metrics", "series"} {
		sql, err := queries.Render(name+".sql", queries.Data{Database: "agora", Sort: "StartedAt", Order: "DESC"})
		require.NoError(t, err, name)
		assert.Contains(t, sql, "`agora`.", name)
		assert.Contains(t, sql, "OrgId = ?", "%s is scoped to the caller's org", name)
	}
}
