package tenantprocessor

import (
	"testing"

	"github.com/agora-otelcol/agora-otelcol/internal/testutil"

	"github.com/stretchr/testify/assert"
)

// TestLoadConfig: the processor has no settings (the org comes only from the
// API key), so its config loads empty and is always valid.
func TestLoadConfig(t *testing.T) {
	cfg := testutil.LoadConfig[Config](t, NewFactory(), "")
	assert.Equal(t, &Config{}, cfg)
	assert.NoError(t, cfg.Validate())
}
