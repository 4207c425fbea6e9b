package agorahealthextension

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pipeline"

	"github.com/agora-otelcol/agora-otelcol/extension/agorahealthextension/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/health"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

var (
	exporterID  = componentstatus.NewInstanceID(component.MustNewID("agora_clickhouse"), component.KindExporter, pipeline.NewID(pipeline.SignalTraces))
	processorID = componentstatus.NewInstanceID(component.MustNewID("execution"), component.KindProcessor, pipeline.NewID(pipeline.SignalTraces))
)

func started(t *testing.T) (*healthExt, string) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.HTTP.NetAddr.Endpoint = testutil.FreeAddr(t)
	h := newHealth(cfg, extensiontest.NewNopSettings(metadata.Type))
	require.NoError(t, h.Start(context.Background(), testutil.NewHost(nil)))
	t.Cleanup(func() { require.NoError(t, h.Shutdown(context.Background())) })
	require.NoError(t, h.Ready())
	return h, "http://" + cfg.HTTP.NetAddr.Endpoint + cfg.Path
}

func ready(t *testing.T, url string) (int, health.Report) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	var r health.Report
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	return resp.StatusCode, r
}

// TestReadyThroughOutagesNotWhenRefusing: ClickHouse unreachable makes the
// collector degraded but ready (it buffers); a full queue makes it not
// ready until it accepts data again.
func TestReadyThroughOutagesNotWhenRefusing(t *testing.T) {
	h, url := started(t)
	code, r := ready(t, url)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, health.Report{Ready: true}, r)

	unreachable := errors.New("ClickHouse unreachable: connection refused")
	h.Changed(exporterID, componentstatus.NewRecoverableErrorEvent(unreachable))
	code, r = ready(t, url)
	assert.Equal(t, http.StatusOK, code, "buffering is ready")
	assert.Equal(t, map[string]string{"exporter/agora_clickhouse": unreachable.Error()}, r.Degraded)

	full := fmt.Errorf("%w: %w", health.ErrRefusing, exporterhelper.ErrQueueIsFull)
	h.Changed(processorID, componentstatus.NewRecoverableErrorEvent(full))
	code, r = ready(t, url)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.False(t, r.Ready)
	assert.Len(t, r.Degraded, 2)

	h.Changed(processorID, componentstatus.NewEvent(componentstatus.StatusOK))
	h.Changed(exporterID, componentstatus.NewEvent(componentstatus.StatusOK))
	code, r = ready(t, url)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, health.Report{Ready: true}, r, "recovery clears it")

	require.NoError(t, h.NotReady())
	code, _ = ready(t, url)
	assert.Equal(t, http.StatusServiceUnavailable, code, "stopping")
}

func TestFoundThroughTheHost(t *testing.T) {
	h, _ := started(t)
	host := testutil.NewHost(map[component.ID]component.Component{component.MustNewID("agorahealth"): h})
	assert.Same(t, h, health.Find(host))
	assert.Nil(t, health.Find(testutil.NewHost(nil)))
}
