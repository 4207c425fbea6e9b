package executionprocessor

import (
	"testing"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
)

func loadConfig(t *testing.T, name string) *Config {
	return testutil.LoadConfig[Config](t, NewFactory(), name)
}

func TestLoadConfig(t *testing.T) {
	require.Equal(t, createDefaultConfig(), loadConfig(t, ""))
	require.NoError(t, loadConfig(t, "").Validate())

	storage := component.MustNewIDWithName("file_storage", "state")
	full := loadConfig(t, "full")
	require.NoError(t, full.Validate())
	assert.Equal(t, &Config{ExecutionTimeout: 10 * time.Minute, FlushInterval: 500 * time.Millisecond, Retention: time.Hour,
		MaxExecutions: 1000, MaxExecutionsPerOrg: 100, MaxNodesPerExecution: 50, MaxSpansPerExecution: 500, Storage: &storage,
		RecordEncoding: agora.RecordEncodingMap, Prices: []Price{{Model: "gpt-4o-mini*", Prompt: 0.15, Completion: 0.6}}}, full)
}

func TestConfigValidateErrors(t *testing.T) {
	for name, want := range map[string]error{
		"zero_timeout":       errTimeout,
		"slow_flush":         errFlushInterval,
		"negative_retention": errRetention,
		"per_org_over_total": errMaxExecutions,
		"zero_nodes":         errMaxPerExec,
		"bad_price":          errPrice,
		"bad_encoding":       errEncoding,
	} {
		t.Run(name, func(t *testing.T) { assert.ErrorIs(t, loadConfig(t, name).Validate(), want) })
	}
}
