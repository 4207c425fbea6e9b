package agorametricsconnector // import "github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector/internal/metadata"
)

// NewFactory creates the factory of the workflow metrics connector.
func NewFactory() connector.Factory {
	return connector.NewFactory(metadata.Type, createDefaultConfig,
		connector.WithLogsToMetrics(createLogsToMetrics, metadata.LogsToMetricsStability))
}

func createDefaultConfig() component.Config {
	return &Config{
		Interval:            10 * time.Second,
		MaxWorkflowsPerOrg:  200,
		MaxNodesPerWorkflow: 100,
		MaxModelsPerOrg:     50,
		DurationBuckets:     []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
	}
}

func createLogsToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Logs, error) {
	return newConnector(cfg.(*Config), set, next), nil
}
