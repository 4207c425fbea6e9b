package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"

	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
)

// telemetry is the exporter's own metrics.
type telemetry struct{ tb *metadata.TelemetryBuilder }

func newTelemetry(set exporter.Settings) (*telemetry, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	return &telemetry{tb}, err
}

func (t *telemetry) deadLettered(ctx context.Context, letters []deadLetter) {
	for _, l := range letters {
		t.tb.ExporterAgoraClickhouseDeadLetters.Add(ctx, 1, metric.WithAttributes(attribute.String("table", l.table), attribute.String("org", l.org)))
	}
}
