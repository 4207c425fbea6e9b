package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

// NewFactory creates the factory of the ClickHouse exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithTraces(createTracesExporter, metadata.TracesStability),
		exporter.WithLogs(createLogsExporter, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	queue := exporterhelper.NewDefaultQueueConfig()
	// Few, large inserts: many small native inserts cause part/merge storms.
	batch := exporterhelper.NewDefaultBatchConfig()
	batch.FlushTimeout = time.Second
	batch.MinSize = 10_000
	batch.MaxSize = 50_000
	queue.Batch = configoptional.Some(batch)
	queue.NumConsumers = 4
	return &Config{
		Connection:   chclient.NewDefaultConfig(),
		CreateSchema: true,
		Timeout:      10 * time.Second,
		RetryConfig:  configretry.NewDefaultBackOffConfig(),
		QueueConfig:  configoptional.Some(queue),
	}
}

func createTracesExporter(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	c := cfg.(*Config)
	exp, err := newTracesExporter(c, set.Logger)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewTraces(ctx, set, cfg, exp.pushTraces, helperOptions(c, exp.client)...)
}

func createLogsExporter(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	exp, err := newLogsExporter(c, set.Logger)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, exp.pushLogs, helperOptions(c, exp.client)...)
}

// helperOptions are exporterhelper's start, shutdown, timeout, retry and queue.
func helperOptions(c *Config, cl *client) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(cl.start),
		exporterhelper.WithShutdown(cl.shutdown),
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: c.Timeout}),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(c.QueueConfig),
	}
}
