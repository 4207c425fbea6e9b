package walstorageextension

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/extension/walstorageextension/internal/metadata"
)

func TestClientsThroughTheFactory(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "made-at-start")
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Directory = dir
	ext, err := f.Create(ctx, extensiontest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(ctx, componenttest.NewNopHost()))
	se := ext.(storage.Extension)

	exporter := component.MustNewIDWithName("agora_clickhouse", "")
	traces, err := se.GetClient(ctx, component.KindExporter, exporter, "traces")
	require.NoError(t, err)
	logs, err := se.GetClient(ctx, component.KindExporter, exporter, "logs")
	require.NoError(t, err)
	require.NoError(t, traces.Set(ctx, "k", []byte("traces")))
	require.NoError(t, logs.Set(ctx, "k", []byte("logs")))
	v, err := traces.Get(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, []byte("traces"), v, "each client has its own keys")
	_, err = os.Stat(filepath.Join(dir, "exporter_agora_clickhouse__traces"))
	require.NoError(t, err, "named like file_storage's files")
	require.NoError(t, traces.Close(ctx))

	// Shutdown closes what components left open: the directory can be
	// opened again (its lock is released).
	require.NoError(t, ext.Shutdown(ctx))
	again, err := openLog(filepath.Join(dir, "exporter_agora_clickhouse__logs"), 1<<20, false, zap.NewNop())
	require.NoError(t, err)
	v, err = again.Get(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, []byte("logs"), v)
	require.NoError(t, again.Close(ctx))
}

func TestStartRefusesAMissingDirectoryUnlessAskedToCreateIt(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	ext := newExtension(&Config{Directory: missing, SegmentSize: 1 << 20}, nil)
	assert.ErrorContains(t, ext.Start(context.Background(), componenttest.NewNopHost()), "no such file or directory")
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	ext = newExtension(&Config{Directory: file, SegmentSize: 1 << 20}, nil)
	assert.ErrorContains(t, ext.Start(context.Background(), componenttest.NewNopHost()), "is not a directory")
}
