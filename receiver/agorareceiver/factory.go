package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/sharedcomponent"
	"github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver/internal/metadata"
)

const defaultMaxBodySize = 10 << 20

// NewFactory creates the factory of the Agora receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig,
		receiver.WithTraces(createTraces, metadata.TracesStability),
		receiver.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	http := confighttp.NewDefaultServerConfig()
	http.NetAddr.Endpoint = "localhost:8000"
	http.MaxRequestBodySize = defaultMaxBodySize
	return &Config{HTTP: http, MaxBatchItems: 10_000, Timestamps: agora.DefaultTimeWindow}
}

// receivers holds one receiver per config: the traces and the logs pipeline
// share its HTTP server, as the OTLP receiver's do.
var receivers = sharedcomponent.NewMap[*Config, *agoraReceiver]()

func shared(cfg *Config, set receiver.Settings) (*sharedcomponent.Component[*agoraReceiver], error) {
	return receivers.LoadOrStore(cfg, func() (*agoraReceiver, error) { return newReceiver(cfg, set) })
}

func createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	r, err := shared(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	r.Unwrap().traces = next
	return r, nil
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	r, err := shared(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	r.Unwrap().logs = next
	return r, nil
}
