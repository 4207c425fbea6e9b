package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/extension"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/alerts"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/httpjson"
)

//go:embed web
var webFiles embed.FS

type ui struct {
	cfg      *Config
	set      extension.Settings
	db       driver.Conn
	keys     apikey.Manager // the authenticator's keys and their management
	sessions *sessions
	alerts   *alerts.Runner
	liveHub  *liveHub
	liveDone chan struct{} // closed at shutdown: open streams end
	stopLive sync.Once
	server   *http.Server
	serving  sync.WaitGroup
}

func newUI(cfg *Config, set extension.Settings) *ui {
	u := &ui{cfg: cfg, set: set, sessions: newSessions(cfg.Session.IdleTimeout, cfg.Session.MaxAge), liveDone: make(chan struct{})}
	u.liveHub = newLiveHub(u, cfg.Live)
	return u
}

// errNotKeyManager: the authenticator is not apikeyauth.
var errNotKeyManager = errors.New("authenticator must name an apikeyauth extension listed in service::extensions")

// Start finds the keys on the authenticator, listens and serves.
// ClickHouse is not dialled here: until it is reachable the API answers 503,
// and the pages still load.
func (u *ui) Start(ctx context.Context, host component.Host) error {
	// Validate requires authenticator; without it (only in the generated
	// lifecycle test) every API call answers 401.
	if u.cfg.Authenticator != (component.ID{}) {
		keys, ok := host.GetExtensions()[u.cfg.Authenticator].(apikey.Manager)
		if !ok {
			return errNotKeyManager
		}
		u.keys = keys
	}
	opts, err := u.cfg.ClickHouse.Options(ctx)
	if err != nil {
		return err
	}
	if u.db, err = clickhouse.Open(opts); err != nil {
		return fmt.Errorf("open ClickHouse connection: %w", err)
	}
	u.alerts = alerts.NewRunner(u.cfg.Alerts, alerts.NewStore(u.db, u.cfg.ClickHouse.DatabaseName()), u.set.Logger)
	ln, err := u.cfg.HTTP.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", u.cfg.HTTP.NetAddr.Endpoint, err)
	}
	api, err := u.cfg.HTTP.ToServer(ctx, host.GetExtensions(), u.set.TelemetrySettings, http.HandlerFunc(u.api),
		confighttp.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, msg string, status int) {
			httpjson.Detail(w, status, msg)
		}))
	if err != nil {
		_ = ln.Close()
		return err
	}
	// confighttp's handler: limits, decompression, its own telemetry.
	limited := api.Handler
	static, _ := fs.Sub(webFiles, "web")
	pages := http.FileServerFS(static)
	// Pages and assets hold no data and load without a key; /api/ checks
	// the key or session itself. Every answer forbids framing and sniffing.
	api.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
			limited.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
	u.server = api
	u.set.Logger.Info("Agora UI listening", zap.String("endpoint", ln.Addr().String()))
	u.serving.Go(func() {
		if err := api.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	})
	u.alerts.Start()
	return nil
}

// Shutdown is safe without Start.
func (u *ui) Shutdown(ctx context.Context) error {
	var err error
	u.stopLive.Do(func() {
		close(u.liveDone)
		u.liveHub.shutdown()
	})
	if u.server != nil {
		err = u.server.Shutdown(ctx)
		u.serving.Wait()
	}
	if u.alerts != nil {
		u.alerts.Shutdown()
	}
	if u.db != nil {
		err = errors.Join(err, u.db.Close())
	}
	return err
}
