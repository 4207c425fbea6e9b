package clickhouseexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"
)

type storageHost struct {
	component.Host
	ext map[component.ID]component.Component
}

func (h storageHost) GetExtensions() map[component.ID]component.Component { return h.ext }

// walQueueHost is a host with a started wal_storage extension for the
// sending queue, shut down when the test ends.
func walQueueHost(t *testing.T) (component.Host, component.ID) {
	ctx := context.Background()
	storageID := component.MustNewIDWithName("wal_storage", "queue")
	sf := walstorageextension.NewFactory()
	scfg := sf.CreateDefaultConfig().(*walstorageextension.Config)
	scfg.Directory = t.TempDir()
	ext, err := sf.Create(ctx, extensiontest.NewNopSettings(sf.Type()), scfg)
	require.NoError(t, err)
	host := storageHost{Host: componenttest.NewNopHost(), ext: map[component.ID]component.Component{storageID: ext}}
	require.NoError(t, ext.Start(ctx, host))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(ctx)) })
	return host, storageID
}

// The exporter takes data without changing it, with a memory or a
// persistent queue: spans and log records are converted to rows before
// ConsumeX returns. So a pipeline feeding it and a connector need not copy
// every request.
func TestExporterLeavesTheCallersDataAlone(t *testing.T) {
	ctx := context.Background()
	f := NewFactory()
	memCfg := f.CreateDefaultConfig().(*Config)
	mem, err := f.CreateLogs(ctx, exportertest.NewNopSettings(metadata.Type), memCfg)
	require.NoError(t, err)
	assert.False(t, mem.Capabilities().MutatesData)
	memTraces, err := f.CreateTraces(ctx, exportertest.NewNopSettings(metadata.Type), memCfg)
	require.NoError(t, err)
	assert.False(t, memTraces.Capabilities().MutatesData)

	host, storageID := walQueueHost(t)
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Connection.Endpoint = "tcp://127.0.0.1:1" // nothing listens: the data waits in the queue
	cfg.CreateSchema = false
	q := cfg.QueueConfig.Get()
	q.StorageID = &storageID
	exp, err := f.CreateLogs(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	assert.False(t, exp.Capabilities().MutatesData)
	tr, err := f.CreateTraces(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	assert.False(t, tr.Capabilities().MutatesData)

	require.NoError(t, exp.Start(ctx, host))
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("record")
	// pdata panics on any change to read-only data.
	ld.MarkReadOnly()
	require.NoError(t, exp.ConsumeLogs(ctx, ld))
	time.Sleep(100 * time.Millisecond) // the queue's consumers pick it up meanwhile
	require.NoError(t, exp.Shutdown(ctx))
	assert.Equal(t, "record", ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str())
}

// A span request's buffer is reused for the next request only when the
// queue no longer holds the request: with a memory queue it is never
// reused (TestIntegrationRecycledArrivalsKeepQueuedSpans: with a
// persistent one it is, and every stored span is intact).
func TestMemoryQueueKeepsArrivals(t *testing.T) {
	ctx := context.Background()
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Connection.Endpoint = "tcp://127.0.0.1:1" // nothing listens: the data waits in the queue
	cfg.CreateSchema = false
	exp, err := f.CreateTraces(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(ctx, componenttest.NewNopHost()))
	drainArrivals()
	for i := range 4 {
		require.NoError(t, exp.ConsumeTraces(ctx, namedSpans(fmt.Sprint(i), 10)))
	}
	assert.Empty(t, spanRows.arrivals.idle, "the memory queue holds the requests' buffers")
	require.NoError(t, exp.Shutdown(ctx))
}

func drainArrivals() {
	for len(spanRows.arrivals.idle) > 0 {
		<-spanRows.arrivals.idle
	}
}
