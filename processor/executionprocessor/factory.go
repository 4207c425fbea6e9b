package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/processor"

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
		ExecutionTimeout: 5 * time.Minute,
		FlushInterval:    time.Second,
		Retention:        10 * time.Minute,
		MaxExecutions:    50_000,
	}
}

// processors holds one instance per config (that is, per component id): the
// traces and the logs pipeline share its state.
var (
	processorsMu sync.Mutex
	processors   = map[*Config]*executionProcessor{}
)

func shared(cfg *Config, set processor.Settings) (*executionProcessor, error) {
	processorsMu.Lock()
	defer processorsMu.Unlock()
	if p, ok := processors[cfg]; ok {
		return p, nil
	}
	p, err := newExecutionProcessor(cfg, set, func() {
		processorsMu.Lock()
		delete(processors, cfg)
		processorsMu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	processors[cfg] = p
	return p, nil
}

func createTraces(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := shared(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	p.nextTraces = next
	return p, nil
}

func createLogs(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := shared(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	p.nextLogs = next
	return p, nil
}

// copied detaches a value from the request's pdata, which the pipeline
// passes on and may change or free.
func copied(v pcommon.Value) pcommon.Value {
	out := pcommon.NewValueEmpty()
	if v != (pcommon.Value{}) {
		v.CopyTo(out)
	}
	return out
}
