package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Live tail: server-sent events of executions, node executions and spans
// as they reach ClickHouse. One poller per org serves every open stream of
// that org and stops with its last one; each stream has a bounded buffer
// and drops (and says so) rather than slow the poller down.

// LiveConfig bounds the live tail.
type LiveConfig struct {
	// PollInterval: how often an org's poller asks ClickHouse for what is
	// new while a stream is open. Default: 500ms.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// MaxConnections: open streams in this process. Default: 100.
	MaxConnections int `mapstructure:"max_connections"`
	// MaxConnectionsPerOrg: open streams of one org. Default: 10.
	MaxConnectionsPerOrg int `mapstructure:"max_connections_per_org"`
	// Buffer: events a stream holds for a slow client before dropping.
	// Default: 1000.
	Buffer int `mapstructure:"buffer"`
	// MaxRowsPerPoll bounds each of a poll's three reads. Default: 500.
	MaxRowsPerPoll int `mapstructure:"max_rows_per_poll"`
	// MaxDuration: a stream ends after this long; browsers reconnect.
	// Default: 1h.
	MaxDuration time.Duration `mapstructure:"max_duration"`
}

var errLive = errors.New("live: poll_interval must be at least 100ms; max_connections, max_connections_per_org, buffer and max_rows_per_poll at least 1; max_duration positive")

// Validate checks the bounds.
func (c *LiveConfig) Validate() error {
	if c.PollInterval < 100*time.Millisecond || c.MaxConnections < 1 || c.MaxConnectionsPerOrg < 1 || c.Buffer < 1 || c.MaxRowsPerPoll < 1 || c.MaxDuration <= 0 {
		return errLive
	}
	return nil
}

func newDefaultLiveConfig() LiveConfig {
	return LiveConfig{PollInterval: 500 * time.Millisecond, MaxConnections: 100, MaxConnectionsPerOrg: 10, Buffer: 1000,
		MaxRowsPerPoll: 500, MaxDuration: time.Hour}
}

const (
	// liveLag re-reads this far behind the newest version seen: an insert
	// can become visible after a later one (queue consumers, replicas).
	liveLag = 10 * time.Second
	// liveSpanWindow: spans are found by start time (they carry no arrival
	// time), so a span that started longer ago than this is not tailed.
	liveSpanWindow = 5 * time.Minute
	// liveExecWindow: executions and node executions are read from the
	// partitions of runs started this recently.
	liveExecWindow = 24 * time.Hour
	liveHeartbeat  = 15 * time.Second
	// liveRecheck: how often a stream checks its key or session still holds.
	liveRecheck = 10 * time.Second
)

// liveEvent is one server-sent event.
type liveEvent struct {
	kind string // execution, node or span
	llm  bool   // a span that is an LLM call
	data []byte
}

// liveSpan is a span as the tail shows it.
type liveSpan struct {
	ExecutionID uuid.UUID `json:"execution_id"`
	TraceID     string    `json:"trace_id"`
	SpanID      string    `json:"span_id"`
	Name        string    `json:"name"`
	StartTime   time.Time `json:"start_time"`
	DurationNs  uint64    `json:"duration_ns"`
	Status      string    `json:"status"`
	LLM         bool      `json:"llm"`
	Model       string    `json:"model,omitempty"`
	TotalTokens *int64    `json:"total_tokens,omitempty"`
}

// liveSub is one open stream.
type liveSub struct {
	only    string // "", "execution", "node" or "llm"
	events  chan liveEvent
	dropped chan int // how many were dropped since the last notice
}

func (s *liveSub) wants(ev liveEvent) bool {
	switch s.only {
	case "":
		return true
	case "llm":
		return ev.llm
	default:
		return ev.kind == s.only
	}
}

// deliver hands ev over without waiting; a full buffer drops it.
func (s *liveSub) deliver(ev liveEvent) {
	if !s.wants(ev) {
		return
	}
	select {
	case s.events <- ev:
	default:
		n := 0
		select {
		case n = <-s.dropped:
		default:
		}
		s.dropped <- n + 1
	}
}

// orgFeed polls one org's new rows for its streams.
type orgFeed struct {
	subs   map[*liveSub]struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

type liveHub struct {
	u   *ui
	cfg LiveConfig

	mu    sync.Mutex
	orgs  map[string]*orgFeed
	total int
}

func newLiveHub(u *ui, cfg LiveConfig) *liveHub {
	return &liveHub{u: u, cfg: cfg, orgs: map[string]*orgFeed{}}
}

var errLiveFull = apiError{http.StatusTooManyRequests, "live: too many open live streams"}

// join opens a stream for org, starting its poller if it is the first.
func (h *liveHub) join(org, only string) (*liveSub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.orgs[org]
	if h.total >= h.cfg.MaxConnections {
		return nil, errLiveFull
	}
	if f != nil && len(f.subs) >= h.cfg.MaxConnectionsPerOrg {
		return nil, apiError{http.StatusTooManyRequests, fmt.Sprintf("live: at most %d open live streams per organization", h.cfg.MaxConnectionsPerOrg)}
	}
	if f == nil {
		ctx, cancel := context.WithCancel(context.Background())
		f = &orgFeed{subs: map[*liveSub]struct{}{}, cancel: cancel, done: make(chan struct{})}
		h.orgs[org] = f
		go h.poll(ctx, org, f)
	}
	s := &liveSub{only: only, events: make(chan liveEvent, h.cfg.Buffer), dropped: make(chan int, 1)}
	f.subs[s] = struct{}{}
	h.total++
	return s, nil
}

// leave closes a stream, and the org's poller with its last one.
func (h *liveHub) leave(org string, s *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.orgs[org]
	if f == nil {
		return
	}
	if _, ok := f.subs[s]; !ok {
		return
	}
	delete(f.subs, s)
	h.total--
	if len(f.subs) == 0 {
		f.cancel()
		delete(h.orgs, org)
	}
}

// stats: open streams and pollers (tests and the log read them).
func (h *liveHub) stats() (streams, pollers int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total, len(h.orgs)
}

// shutdown ends every stream's poller; the streams end with the server.
func (h *liveHub) shutdown() {
	h.mu.Lock()
	feeds := h.orgs
	h.orgs = map[string]*orgFeed{}
	h.mu.Unlock()
	for _, f := range feeds {
		f.cancel()
		<-f.done
	}
}

func (h *liveHub) broadcast(org string, f *orgFeed, evs []liveEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.orgs[org] != f {
		return
	}
	for s := range f.subs {
		for _, ev := range evs {
			s.deliver(ev)
		}
	}
}

// cursor is what one of an org's reads has sent: the newest version (or
// span start) and the keys sent within liveLag of it.
type cursor struct {
	since time.Time
	sent  map[string]time.Time
}

func newCursor(now time.Time) *cursor { return &cursor{since: now, sent: map[string]time.Time{}} }

// fresh reports whether key at t is new, and records it.
func (c *cursor) fresh(key string, t time.Time) bool {
	if _, ok := c.sent[key]; ok {
		return false
	}
	c.sent[key] = t
	if t.After(c.since) {
		c.since = t
	}
	return true
}

// from is where the next read starts; keys older than it are forgotten.
func (c *cursor) from(lag time.Duration) time.Time {
	from := c.since.Add(-lag)
	for k, t := range c.sent {
		if t.Before(from) {
			delete(c.sent, k)
		}
	}
	return from
}

func (h *liveHub) poll(ctx context.Context, org string, f *orgFeed) {
	defer close(f.done)
	now := time.Now()
	execs, nodes, spans := newCursor(now), newCursor(now), newCursor(now)
	t := time.NewTicker(h.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		evs, err := h.read(ctx, org, execs, nodes, spans)
		if err != nil {
			if ctx.Err() == nil {
				h.u.set.Logger.Warn("live tail read failed; retrying", zap.Error(err))
			}
			continue
		}
		if len(evs) > 0 {
			h.broadcast(org, f, evs)
		}
	}
}

// read fetches one poll's new rows of org, oldest first.
func (h *liveHub) read(ctx context.Context, org string, execs, nodes, spans *cursor) ([]liveEvent, error) {
	ctx, cancel := context.WithTimeout(ctx, h.u.cfg.QueryTimeout)
	defer cancel()
	now := time.Now()
	var evs []liveEvent
	add := func(kind string, llm bool, v any) error {
		b, err := json.Marshal(v)
		if err == nil {
			evs = append(evs, liveEvent{kind: kind, llm: llm, data: b})
		}
		return err
	}
	sql := func(name string) (string, error) { return h.u.sql(name, queries.Data{}) }

	q, err := sql("live_executions")
	if err != nil {
		return nil, err
	}
	var es []agora.ExecutionRow
	if err := h.u.db.Select(ctx, &es, q, org, now.Add(-liveExecWindow), execs.from(liveLag), h.cfg.MaxRowsPerPoll); err != nil {
		return nil, err
	}
	for _, e := range es {
		if execs.fresh(e.ExecutionID.String()+e.Version.String(), e.Version) {
			if err := add("execution", false, e); err != nil {
				return nil, err
			}
		}
	}

	if q, err = sql("live_nodes"); err != nil {
		return nil, err
	}
	var ns []agora.NodeExecutionRow
	if err := h.u.db.Select(ctx, &ns, q, org, now.Add(-liveExecWindow), nodes.from(liveLag), h.cfg.MaxRowsPerPoll); err != nil {
		return nil, err
	}
	for _, n := range ns {
		if nodes.fresh(n.NodeExecutionID.String()+n.Version.String(), n.Version) {
			if err := add("node", n.TotalTokens != nil, n); err != nil {
				return nil, err
			}
		}
	}

	if q, err = sql("live_spans"); err != nil {
		return nil, err
	}
	var ss []agora.SpanRow
	from := spans.from(liveLag)
	if min := now.Add(-liveSpanWindow); from.Before(min) {
		from = min
	}
	if err := h.u.db.Select(ctx, &ss, q, org, from, from, h.cfg.MaxRowsPerPoll); err != nil {
		return nil, err
	}
	for i := range ss {
		s := &ss[i]
		if !spans.fresh(s.TraceID+s.SpanID, s.StartTime) {
			continue
		}
		ls := liveSpan{ExecutionID: s.ExecutionID, TraceID: s.TraceID, SpanID: s.SpanID, Name: s.Name, StartTime: s.StartTime,
			DurationNs: s.DurationNs, Status: s.Status, LLM: agora.IsLLMCall(s.Attributes)}
		if ls.LLM {
			c := agora.LLMCallOf(s)
			ls.Model, ls.TotalTokens = c.Model, c.TotalTokens
			if ls.TotalTokens == nil && (c.InputTokens != nil || c.OutputTokens != nil) {
				var n int64
				for _, x := range []*int64{c.InputTokens, c.OutputTokens} {
					if x != nil {
						n += *x
					}
				}
				ls.TotalTokens = &n
			}
		}
		if err := add("span", ls.LLM, ls); err != nil {
			return nil, err
		}
	}
	return evs, nil
}
