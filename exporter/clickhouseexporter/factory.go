package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
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
		RetryConfig:  defaultRetry(),
		QueueConfig:  configoptional.Some(queue),
		Timestamps:   agora.DefaultTimeWindow,
	}
}

// defaultRetry never gives up on a temporary error (the queue's size bounds
// what waits), and waits at most a few seconds between tries, so a backlog
// starts draining within seconds of ClickHouse's return.
func defaultRetry() configretry.BackOffConfig {
	r := configretry.NewDefaultBackOffConfig()
	r.InitialInterval, r.MaxInterval, r.Multiplier, r.RandomizationFactor = time.Second, 4*time.Second, 1.5, 0.2
	r.MaxElapsedTime = 0
	return r
}

func createTracesExporter(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	c, err := newSignalClient(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	// Spans are converted to rows on arrival (spanrows.go): the queue holds
	// rows, never the pdata it was given.
	conv := c.spanConverter()
	exp, err := xexporterhelper.NewTracesRequest(ctx, set, conv.request, c.pushSpans,
		append(commonOptions(c), xexporterhelper.WithQueueBatch(c.cfg.QueueConfig,
			xexporterhelper.QueueBatchSettings{Encoding: spanEncoding(conv)}))...)
	if err != nil {
		return nil, err
	}
	return readOnlyTraces{exp, arrivals{spanRows, !keepsRequests(c.cfg.QueueConfig)}}, nil
}

func createLogsExporter(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c, err := newSignalClient(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	// Log records are converted to rows on arrival (logrows.go), like spans.
	exp, err := xexporterhelper.NewLogsRequest(ctx, set, logsRequest, c.pushLogRows,
		append(commonOptions(c), xexporterhelper.WithQueueBatch(c.cfg.QueueConfig,
			xexporterhelper.QueueBatchSettings{Encoding: logEncoding()}))...)
	if err != nil {
		return nil, err
	}
	return readOnlyLogs{exp}, nil
}

// exporterhelper declares that it changes the data it is given whenever it
// batches, so a pipeline that also feeds a connector would hand it a deep
// copy of every request. Spans and log records are never changed: they are
// converted to rows before ConsumeTraces or ConsumeLogs returns. Saying so
// spares the copy.
type readOnlyTraces struct {
	exporter.Traces
	arrivals arrivals
}

func (readOnlyTraces) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (e readOnlyTraces) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	return e.arrivals.consume(ctx, func(ctx context.Context) error { return e.Traces.ConsumeTraces(ctx, td) })
}

type readOnlyLogs struct{ exporter.Logs }

func (readOnlyLogs) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func newSignalClient(cfg *Config, set exporter.Settings) (*client, error) {
	tel, err := newTelemetry(set)
	if err != nil {
		return nil, err
	}
	return newClient(cfg, set.Logger, tel), nil
}

// commonOptions are exporterhelper's start, shutdown, timeout and retry.
func commonOptions(c *client) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(c.start),
		exporterhelper.WithShutdown(c.shutdown),
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: c.cfg.Timeout}),
		exporterhelper.WithRetry(c.cfg.RetryConfig),
	}
}
