package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/health"
	"github.com/agora-otelcol/agora-otelcol/internal/httpjson"
)

type agoraReceiver struct {
	cfg      *Config
	settings receiver.Settings
	ids      *agora.ExecutionIDs
	traces   consumer.Traces
	logs     consumer.Logs
	obs      *receiverhelper.ObsReport

	server       *http.Server
	serving      sync.WaitGroup
	healthSource health.Source
	// names: what the ids the PostgREST endpoints hand out stand for.
	names *registry
}

func newReceiver(cfg *Config, set receiver.Settings) (*agoraReceiver, error) {
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: "http", ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	return &agoraReceiver{
		cfg: cfg, settings: set, obs: obs,
		ids:   agora.NewExecutionIDs([]byte(cfg.ExecutionIDSecret)),
		names: newRegistry(200_000),
	}, nil
}

// Start listens, then serves in the background. The traces and the logs
// pipeline share this receiver (sharedcomponent starts it once).
func (r *agoraReceiver) Start(ctx context.Context, host component.Host) error {
	if r.logs == nil {
		r.settings.Logger.Warn("the agora receiver is in no logs pipeline: starts, completions, node executions and events will be refused")
	}
	if r.traces == nil {
		r.settings.Logger.Warn("the agora receiver is in no traces pipeline: spans will be refused")
	}
	r.healthSource = health.Find(host)
	ln, err := r.cfg.HTTP.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", r.cfg.HTTP.NetAddr.Endpoint, err)
	}
	api, err := r.cfg.HTTP.ToServer(ctx, host.GetExtensions(), r.settings.TelemetrySettings, http.HandlerFunc(r.route),
		confighttp.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, msg string, status int) {
			httpjson.Detail(w, status, msg)
		}))
	if err != nil {
		_ = ln.Close()
		return err
	}
	// GET /health answers without a key, as the platform's does; everything
	// else goes through confighttp's auth, limits and decompression.
	authenticated := api.Handler
	api.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/health" {
			r.health(w, req)
			return
		}
		authenticated.ServeHTTP(w, req)
	})
	r.server = api
	r.settings.Logger.Info("Agora API listening", zap.String("endpoint", ln.Addr().String()))
	r.serving.Go(func() {
		if err := api.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	})
	return nil
}

// Shutdown stops the server; safe without Start.
func (r *agoraReceiver) Shutdown(ctx context.Context) error {
	if r.server == nil {
		return nil
	}
	err := r.server.Shutdown(ctx)
	r.serving.Wait()
	return err
}

// health is GET /health: the platform's answer while all is well; what is
// degraded otherwise, and 503 while the collector refuses data (from the
// agorahealth extension's view of component status, when configured).
func (r *agoraReceiver) health(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		httpjson.Detail(w, http.StatusMethodNotAllowed, "method not allowed: use GET")
		return
	}
	if r.healthSource == nil {
		httpjson.Write(w, http.StatusOK, map[string]string{"status": "healthy"})
		return
	}
	switch rep := r.healthSource.Health(); {
	case !rep.Ready:
		w.Header().Set("Retry-After", "1")
		httpjson.Write(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "degraded": rep.Degraded})
	case len(rep.Degraded) > 0:
		httpjson.Write(w, http.StatusOK, map[string]any{"status": "degraded", "degraded": rep.Degraded})
	default:
		httpjson.Write(w, http.StatusOK, map[string]string{"status": "healthy"})
	}
}

// route dispatches the /telemetry endpoints and the PostgREST tables.
func (r *agoraReceiver) route(w http.ResponseWriter, req *http.Request) {
	defer func() {
		// A bug must not cost the client its answer or the collector its life.
		if p := recover(); p != nil {
			r.settings.Logger.Error("agora receiver: handler panicked", zap.Any("panic", p), zap.String("path", req.URL.Path), zap.Stack("stack"))
			httpjson.Detail(w, http.StatusInternalServerError, "internal error")
		}
	}()
	if strings.HasPrefix(req.URL.Path, restPrefix) {
		rq, err := r.readRequest(req, "")
		if err != nil {
			writePGError(w, err)
			return
		}
		defer parsers.Put(rq.parser)
		r.rest(w, req, rq)
		return
	}
	path := strings.TrimSuffix(req.URL.Path, "/")
	var handle func(*request) (any, error)
	var execID string
	switch {
	case path == "/telemetry/executions/start":
		handle = r.start_
	case path == "/telemetry/batch":
		handle = r.batch
	case strings.HasPrefix(path, "/telemetry/executions/"):
		rest := strings.Split(strings.TrimPrefix(path, "/telemetry/executions/"), "/")
		if len(rest) == 2 {
			execID = rest[0]
			handle = map[string]func(*request) (any, error){
				"complete": r.complete, "nodes": r.node, "spans": r.span, "events": r.event,
			}[rest[1]]
		}
	}
	if handle == nil {
		httpjson.Detail(w, http.StatusNotFound, "not found: "+req.URL.Path)
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpjson.Detail(w, http.StatusMethodNotAllowed, "method not allowed: use POST")
		return
	}
	rq, err := r.readRequest(req, execID)
	if err != nil {
		writeError(w, err)
		return
	}
	defer parsers.Put(rq.parser)
	resp, err := handle(rq)
	if err == nil {
		err = r.consume(rq)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	httpjson.Write(w, http.StatusOK, resp)
}

// httpError is an HTTP-level refusal both APIs share (media type, size,
// auth); each API words its answer.
type httpError struct {
	status int
	msg    string
}

func (e httpError) Error() string { return e.msg }

// readRequest checks the content type, reads the body (bounded by
// confighttp) and the caller, and prepares what a handler fills.
func (r *agoraReceiver) readRequest(req *http.Request, execID string) (*request, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		if mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			return nil, httpError{http.StatusUnsupportedMediaType, "Content-Type must be application/json"}
		}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit)}
		}
		return nil, httpError{http.StatusBadRequest, "could not read the request body"}
	}
	caller, ok := agora.CallerFrom(req.Context())
	if !ok {
		// Validate requires auth, so only a misbuilt pipeline gets here.
		return nil, httpError{http.StatusUnauthorized, "missing API key"}
	}
	return &request{ctx: req.Context(), org: caller, body: body, execID: execID, parser: parsers.Get(), out: newOutput(caller),
		window: &window{TimeWindow: r.cfg.Timestamps, now: time.Now()}}, nil
}

// consume hands the request's records to the pipelines: logs first, so an
// execution's start is never behind its spans.
func (r *agoraReceiver) consume(rq *request) error {
	// The receive time orders versions of the same item downstream.
	observed := pcommon.NewTimestampFromTime(time.Now())
	for _, lr := range rq.out.lrs.All() {
		lr.SetObservedTimestamp(observed)
	}
	if n := rq.out.logs.LogRecordCount(); n > 0 {
		if r.logs == nil {
			return errNoPipeline("logs")
		}
		ctx := r.obs.StartLogsOp(rq.ctx)
		err := r.logs.ConsumeLogs(ctx, rq.out.logs)
		r.obs.EndLogsOp(ctx, "agora_json", n, err)
		if err != nil {
			return pipelineError{err}
		}
	}
	if n := rq.out.traces.SpanCount(); n > 0 {
		if r.traces == nil {
			return errNoPipeline("traces")
		}
		ctx := r.obs.StartTracesOp(rq.ctx)
		err := r.traces.ConsumeTraces(ctx, rq.out.traces)
		r.obs.EndTracesOp(ctx, "agora_json", n, err)
		if err != nil {
			return pipelineError{err}
		}
	}
	return nil
}

// request is one API call being handled.
type request struct {
	ctx    context.Context
	org    agora.Caller
	body   []byte
	execID string // from the path, when the endpoint has one
	parser *fastjson.Parser
	out    *output
	window *window
}

// output collects what one request becomes. The receiver is the first
// component to see the data, so it stamps the org itself.
type output struct {
	logs   plog.Logs
	lrs    plog.LogRecordSlice
	traces ptrace.Traces
	spans  ptrace.SpanSlice
}

func newOutput(o agora.Caller) *output {
	out := &output{logs: plog.NewLogs(), traces: ptrace.NewTraces()}
	rl := out.logs.ResourceLogs().AppendEmpty()
	stampResource(rl.Resource().Attributes(), o)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(scopeName)
	out.lrs = sl.LogRecords()
	rs := out.traces.ResourceSpans().AppendEmpty()
	stampResource(rs.Resource().Attributes(), o)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scopeName)
	out.spans = ss.Spans()
	return out
}

const scopeName = "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

func stampResource(attrs interface {
	PutStr(string, string)
}, o agora.Caller) {
	attrs.PutStr(agora.ResourceService, "agora-sdk")
	attrs.PutStr(agora.AttrOrgID, o.OrgID)
	attrs.PutStr(agora.AttrOrgName, o.OrgName)
}

// Errors that map to HTTP answers.
type (
	// notFound: unknown execution for this org (never says whether it
	// exists for another one).
	notFound struct{}
	// badRequest: validation failed; the message names the field.
	badRequest struct{ err error }
	// pipelineError: the pipeline refused the data.
	pipelineError struct{ err error }
	errNoPipeline string
)

func (notFound) Error() string        { return "execution not found" }
func (e badRequest) Error() string    { return e.err.Error() }
func (e pipelineError) Error() string { return e.err.Error() }
func (e errNoPipeline) Error() string {
	return "this collector has no " + string(e) + " pipeline for the agora receiver"
}

func writeError(w http.ResponseWriter, err error) {
	var bad badRequest
	var pipe pipelineError
	var he httpError
	switch {
	case errors.As(err, &he):
		httpjson.Detail(w, he.status, he.msg)
	case errors.As(err, &bad):
		httpjson.Detail(w, http.StatusBadRequest, bad.Error())
	case errors.As(err, &notFound{}):
		httpjson.Detail(w, http.StatusNotFound, err.Error())
	case errors.As(err, &pipe) && consumererror.IsPermanent(pipe.err):
		httpjson.Detail(w, http.StatusBadRequest, "data refused: "+pipe.err.Error())
	case errors.As(err, &pipe):
		// Queue full, memory limiter, exporter down: the client retries later.
		w.Header().Set("Retry-After", "1")
		httpjson.Detail(w, http.StatusServiceUnavailable, "temporarily unable to accept data, retry later: "+pipe.err.Error())
	default:
		httpjson.Detail(w, http.StatusInternalServerError, err.Error())
	}
}
