package alerts

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Runner evaluates every org's enabled rules each interval, records their
// state changes and delivers them to the rules' webhooks.
type Runner struct {
	cfg    Config
	store  *Store
	client *http.Client
	logger *zap.Logger
	now    func() time.Time

	stop chan struct{}
	done sync.WaitGroup
}

// NewRunner runs cfg's alerts over store.
func NewRunner(cfg Config, store *Store, logger *zap.Logger) *Runner {
	return &Runner{cfg: cfg, store: store, client: newClient(cfg.Webhooks), logger: logger, now: time.Now}
}

// Start begins evaluating and delivering (when enabled).
func (r *Runner) Start() {
	if !r.cfg.Enabled {
		return
	}
	r.stop = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	r.done.Go(func() {
		<-r.stop
		cancel()
	})
	r.loop(ctx, r.cfg.Interval, func(ctx context.Context) {
		if err := r.evaluate(ctx); err != nil {
			r.logger.Warn("alert rules not evaluated; trying again next interval", zap.Error(err))
		}
	})
	// Deliveries are checked more often than rules: a retry is due after
	// initial_interval.
	r.loop(ctx, min(r.cfg.Webhooks.InitialInterval, time.Second), func(ctx context.Context) {
		if err := r.deliverDue(ctx); err != nil {
			r.logger.Warn("alert deliveries not checked; trying again", zap.Error(err))
		}
	})
}

func (r *Runner) loop(ctx context.Context, every time.Duration, f func(context.Context)) {
	r.done.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f(ctx)
			}
		}
	})
}

// Shutdown stops the loops; an attempt in flight is abandoned with its
// context and retried by whichever replica runs next.
func (r *Runner) Shutdown() {
	if r.stop == nil {
		return
	}
	close(r.stop)
	r.done.Wait()
	r.stop = nil
}

// evaluate measures every enabled rule and records the changes of state:
// above the threshold with enough samples fires, at or below it resolves a
// firing rule; with fewer samples than the rule's minimum nothing changes.
func (r *Runner) evaluate(ctx context.Context) error {
	rules, err := r.store.enabledRules(ctx)
	if err != nil {
		return err
	}
	if len(rules) == 0 {
		return nil
	}
	last, err := r.store.lastEvents(ctx)
	if err != nil {
		return err
	}
	now := r.now().UTC()
	for i := range rules {
		rule := &rules[i]
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m, err := r.store.measure(ctx, rule, now)
		if err != nil {
			r.logger.Warn("alert rule not measured", zap.String("org_id", rule.OrgID), zap.String("rule_id", rule.RuleID.String()), zap.Error(err))
			continue
		}
		value, samples := m.value(agora.AlertKind(rule.Kind))
		if samples < uint64(rule.MinSamples) {
			continue
		}
		prev := last[ruleKey{rule.OrgID, rule.RuleID}]
		var state agora.AlertState
		switch firing := value > rule.Threshold; {
		case firing && prev.state != agora.AlertFiring:
			state = agora.AlertFiring
		case !firing && prev.state == agora.AlertFiring:
			state = agora.AlertResolved
		default:
			continue
		}
		ev := eventOf(rule, prev.seq+1, state, value, samples, now)
		mine, err := r.store.record(ctx, &ev)
		if err != nil {
			r.logger.Warn("alert state change not recorded; evaluated again next interval", zap.String("org_id", rule.OrgID),
				zap.String("rule_id", rule.RuleID.String()), zap.Error(err))
			continue
		}
		if mine {
			r.logger.Info("alert "+string(state), zap.String("org_id", rule.OrgID), zap.String("rule_id", rule.RuleID.String()),
				zap.Float64("value", value), zap.Uint64("samples", samples))
		}
	}
	return nil
}

func eventOf(rule *agora.AlertRuleRow, seq uint64, state agora.AlertState, value float64, samples uint64, now time.Time) agora.AlertEventRow {
	return agora.AlertEventRow{OrgID: rule.OrgID, RuleID: rule.RuleID, Seq: seq, EventID: uuid.New(), State: string(state),
		Value: value, Samples: samples, RuleName: rule.Name, Kind: rule.Kind, ProjectName: rule.ProjectName,
		WorkflowName: rule.WorkflowName, WindowSeconds: rule.WindowSeconds, Threshold: rule.Threshold, MinSamples: rule.MinSamples,
		WebhookURL: rule.WebhookURL, WebhookFormat: rule.WebhookFormat, At: now}
}

// maxParallelSends bounds the webhooks called at once by one replica.
const maxParallelSends = 8

// deliverDue makes the attempts that are due: a new state change's first,
// a failed attempt's next after its backoff, a claimed attempt's next when
// its replica went quiet.
func (r *Runner) deliverDue(ctx context.Context) error {
	now := r.now().UTC()
	pending, err := r.store.pending(ctx, now)
	if err != nil {
		return err
	}
	sem := make(chan struct{}, maxParallelSends)
	var wg sync.WaitGroup
	for i := range pending {
		p := &pending[i]
		n, due := r.next(p, now)
		if !due {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r.attempt(ctx, p, n)
		})
	}
	wg.Wait()
	return nil
}

// next is the attempt that follows p's last, and whether it is due.
func (r *Runner) next(p *pendingEvent, now time.Time) (uint32, bool) {
	w := r.cfg.Webhooks
	switch agora.DeliveryOutcome(p.Outcome) {
	case "":
		return 1, true
	case agora.DeliveryFailed:
		return p.Attempts + 1, !now.Before(p.LastAt.Add(backoff(w, p.Attempts)))
	case agora.DeliveryClaimed:
		// Its replica stopped mid-attempt (or is slower than the timeout
		// allows): the next attempt is anyone's.
		return p.Attempts + 1, !now.Before(p.LastAt.Add(2*w.Timeout + time.Second))
	}
	return 0, false
}

// backoff is the wait after the n-th failed attempt.
func backoff(w WebhookConfig, n uint32) time.Duration {
	d := w.InitialInterval
	for i := uint32(1); i < n && d < w.MaxInterval; i++ {
		d *= 2
	}
	return min(d, w.MaxInterval)
}

func (r *Runner) attempt(ctx context.Context, p *pendingEvent, n uint32) {
	mine, err := r.store.claim(ctx, p.OrgID, p.EventID, n)
	if err != nil || !mine {
		return // another replica's, or the next check's
	}
	out := agora.AlertDeliveryRow{OrgID: p.OrgID, EventID: p.EventID, Attempt: n}
	if int(n) > r.cfg.Webhooks.MaxAttempts {
		out.Outcome, out.Error = string(agora.DeliveryAbandoned), "no attempt succeeded"
		r.logger.Warn("alert notification abandoned", zap.String("org_id", p.OrgID), zap.String("event_id", p.EventID.String()),
			zap.Int("attempts", r.cfg.Webhooks.MaxAttempts))
	} else {
		r.deliver(ctx, &p.AlertEventRow, &out)
	}
	if err := r.store.recordAttempt(ctx, &out); err != nil {
		r.logger.Warn("alert delivery outcome not recorded", zap.String("event_id", p.EventID.String()), zap.Error(err))
	}
}

// deliver sends ev once and fills out's outcome.
func (r *Runner) deliver(ctx context.Context, ev *agora.AlertEventRow, out *agora.AlertDeliveryRow) {
	status, err := send(ctx, r.client, ev, r.cfg.PublicURL)
	out.StatusCode = uint16(min(max(status, 0), 65535))
	if err != nil {
		out.Outcome, out.Error = string(agora.DeliveryFailed), err.Error()
		return
	}
	out.Outcome = string(agora.DeliveryDelivered)
}

// SendTest sends a rule's test notification now, once, and records it in
// the history and the delivery log.
func (r *Runner) SendTest(ctx context.Context, rule *agora.AlertRuleRow) (agora.AlertDeliveryRow, error) {
	ev := eventOf(rule, 0, agora.AlertTest, 0, 0, r.now().UTC())
	if err := r.store.RecordTest(ctx, &ev); err != nil {
		return agora.AlertDeliveryRow{}, err
	}
	out := agora.AlertDeliveryRow{OrgID: rule.OrgID, EventID: ev.EventID, Attempt: 1}
	r.deliver(ctx, &ev, &out)
	return out, r.store.recordAttempt(ctx, &out)
}

// Store is the runner's store.
func (r *Runner) Store() *Store { return r.store }

// Config is the runner's config.
func (r *Runner) Config() Config { return r.cfg }
