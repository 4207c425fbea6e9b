package agorahealthextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorahealthextension"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensioncapabilities"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/health"
	"github.com/agora-otelcol/agora-otelcol/internal/httpjson"
)

var (
	_ extensioncapabilities.ComponentStatusWatcher = (*healthExt)(nil)
	_ extensioncapabilities.PipelineWatcher        = (*healthExt)(nil)
	_ health.Source                                = (*healthExt)(nil)
)

// healthExt keeps the newest status event of every component. Readiness
// is false while any component says the collector refuses data (its
// sending queue is full: health.ErrRefusing), reports a fatal error, or
// the collector is starting or stopping; any other error only makes it
// degraded: with a durable queue the collector buffers through outages,
// and a load balancer should keep sending.
type healthExt struct {
	cfg *Config
	set extension.Settings

	mu       sync.Mutex
	statuses map[string]*componentstatus.Event
	running  bool

	server  *http.Server
	serving sync.WaitGroup
}

func newHealth(cfg *Config, set extension.Settings) *healthExt {
	return &healthExt{cfg: cfg, set: set, statuses: map[string]*componentstatus.Event{}}
}

// Changed implements extensioncapabilities.ComponentStatusWatcher.
func (h *healthExt) Changed(source *componentstatus.InstanceID, event *componentstatus.Event) {
	name := strings.ToLower(source.Kind().String()) + "/" + source.ComponentID().String()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.statuses[name] = event
}

// Ready implements extensioncapabilities.PipelineWatcher: pipelines are up.
func (h *healthExt) Ready() error {
	h.mu.Lock()
	h.running = true
	h.mu.Unlock()
	return nil
}

// NotReady implements extensioncapabilities.PipelineWatcher: pipelines are stopping.
func (h *healthExt) NotReady() error {
	h.mu.Lock()
	h.running = false
	h.mu.Unlock()
	return nil
}

// Health implements health.Source.
func (h *healthExt) Health() health.Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := health.Report{Ready: h.running}
	for name, ev := range h.statuses {
		if !componentstatus.StatusIsError(ev.Status()) {
			continue
		}
		if r.Degraded == nil {
			r.Degraded = map[string]string{}
		}
		r.Degraded[name] = ev.Err().Error()
		if ev.Status() == componentstatus.StatusFatalError || errors.Is(ev.Err(), health.ErrRefusing) {
			r.Ready = false
		}
	}
	return r
}

// Start serves readiness: 200 when ready, 503 otherwise, with the report.
func (h *healthExt) Start(ctx context.Context, host component.Host) error {
	ln, err := h.cfg.HTTP.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", h.cfg.HTTP.NetAddr.Endpoint, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(h.cfg.Path, func(w http.ResponseWriter, _ *http.Request) {
		r := h.Health()
		code := http.StatusOK
		if !r.Ready {
			code = http.StatusServiceUnavailable
		}
		httpjson.Write(w, code, r)
	})
	h.server, err = h.cfg.HTTP.ToServer(ctx, host.GetExtensions(), h.set.TelemetrySettings, mux)
	if err != nil {
		_ = ln.Close()
		return err
	}
	h.set.Logger.Info("readiness listening", zap.String("endpoint", ln.Addr().String()), zap.String("path", h.cfg.Path))
	h.serving.Go(func() {
		if err := h.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	})
	return nil
}

// Shutdown is safe without Start.
func (h *healthExt) Shutdown(ctx context.Context) error {
	if h.server == nil {
		return nil
	}
	err := h.server.Shutdown(ctx)
	h.serving.Wait()
	return err
}
