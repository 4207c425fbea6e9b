package walstorageextension

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
	assert.ErrorIs(t, def.Validate(), errNoDirectory, "the directory has no default")
	assert.True(t, def.CreateDirectory)
	assert.False(t, def.Fsync)
	assert.Equal(t, int64(64<<20), def.SegmentSize)

	custom := loadConfig(t, "custom")
	require.NoError(t, custom.Validate())
	assert.Equal(t, &Config{Directory: "/var/lib/agora/queue", Fsync: true, SegmentSize: 16 << 20}, custom)

	assert.ErrorIs(t, loadConfig(t, "no_directory").Validate(), errNoDirectory)
	assert.ErrorContains(t, loadConfig(t, "small_segments").Validate(), "segment_size must be at least 1048576 bytes, got 4096")
}
