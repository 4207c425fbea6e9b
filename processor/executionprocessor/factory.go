package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/sharedcomponent"
	"github.com/agora-otelcol/agora-otelcol/processor/executionprocessor/internal/metadata"
)

// NewFactory creates the factory of the execution processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(metadata.Type, createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		ExecutionTimeout:     5 * time.Minute,
		FlushInterval:        250 * time.Millisecond,
		Retention:            10 * time.Minute,
		MaxExecutions:        50_000,
		MaxExecutionsPerOrg:  20_000,
		MaxNodesPerExecution: 10_000,
		MaxSpansPerExecution: 100_000,
		RecordEncoding:       agora.RecordEncodingCompact,
	}
}

// processors holds one instance per config (that is, per component id): the
// traces and the logs pipeline share its state.
var processors = sharedcomponent.NewMap[*Config, *executionProcessor]()

func shared(cfg component.Config, set processor.Settings) (*sharedcomponent.Component[*executionProcessor], error) {
	c := cfg.(*Config)
	return processors.LoadOrStore(c, func() (*executionProcessor, error) { return newExecutionProcessor(c, set) })
}

// pipelineEnd is what one pipeline holds: the shared processor, started and
// shut down once, consuming its signal.
type pipelineEnd struct {
	*sharedcomponent.Component[*executionProcessor]
}

func (p pipelineEnd) Capabilities() consumer.Capabilities { return p.Unwrap().Capabilities() }

func (p pipelineEnd) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	return p.Unwrap().ConsumeTraces(ctx, td)
}

func (p pipelineEnd) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	return p.Unwrap().ConsumeLogs(ctx, ld)
}

func createTraces(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := shared(cfg, set)
	if err != nil {
		return nil, err
	}
	p.Unwrap().nextTraces = next
	return pipelineEnd{p}, nil
}

func createLogs(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := shared(cfg, set)
	if err != nil {
		return nil, err
	}
	p.Unwrap().nextLogs = next
	return pipelineEnd{p}, nil
}
