package agorametricsconnector

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	tests := []struct {
		id      component.ID
		want    *Config
		wantErr []error
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig().(*Config)},
		{id: component.NewIDWithName(metadata.Type, "custom"), want: &Config{Interval: 30 * time.Second, MaxWorkflowsPerOrg: 20,
			MaxNodesPerWorkflow: 10, MaxModelsPerOrg: 5, DurationBuckets: []float64{1, 10, 100}}},
		{id: component.NewIDWithName(metadata.Type, "bad"), wantErr: []error{errInterval, errLimits, errBuckets}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = cfg.(*Config).Validate()
			if tt.wantErr != nil {
				for _, e := range tt.wantErr {
					assert.ErrorIs(t, err, e)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}
