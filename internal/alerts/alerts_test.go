package alerts

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

func validInput() RuleInput {
	return RuleInput{Name: "errors", Kind: "error_rate", WindowSeconds: 300, Threshold: 0.2, MinSamples: 5, WebhookURL: "https://hooks.example.com/T0/B0/secret"}
}

func TestRuleValidateNamesTheField(t *testing.T) {
	for field, mutate := range map[string]func(*RuleInput){
		"name":           func(in *RuleInput) { in.Name = "  " },
		"kind":           func(in *RuleInput) { in.Kind = "latency" },
		"window_seconds": func(in *RuleInput) { in.WindowSeconds = 59 },
		"threshold":      func(in *RuleInput) { in.Threshold = 1.5 }, // an error rate above 1
		"min_samples":    func(in *RuleInput) { in.MinSamples = 0 },
		"webhook_format": func(in *RuleInput) { in.WebhookFormat = "teams" },
		"webhook_url":    func(in *RuleInput) { in.WebhookURL = "ftp://x/y" },
	} {
		t.Run(field, func(t *testing.T) {
			in := validInput()
			mutate(&in)
			var fe FieldError
			require.ErrorAs(t, in.Validate(false), &fe)
			assert.Equal(t, field, fe.Field)
		})
	}
	in := validInput()
	require.NoError(t, in.Validate(false))
	assert.Equal(t, "generic", in.WebhookFormat, "default format")
	assert.True(t, *in.Enabled, "enabled by default")
}

func TestWebhookURLPrivateAddresses(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:9000/x", "http://10.1.2.3/", "http://[::1]/", "http://169.254.169.254/latest/meta-data", "http://localhost:8080/", "http://100.64.0.1/"} {
		in := validInput()
		in.WebhookURL = u
		assert.Error(t, in.Validate(false), u)
		assert.NoError(t, in.Validate(true), u)
	}
	in := validInput()
	in.WebhookURL = "https://user:pw@hooks.example.com/"
	assert.Error(t, in.Validate(true), "no credentials in the URL")
}

func TestBackoff(t *testing.T) {
	w := WebhookConfig{InitialInterval: time.Second, MaxInterval: 10 * time.Second}
	var got []time.Duration
	for n := uint32(1); n <= 6; n++ {
		got = append(got, backoff(w, n))
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}, got)
}

func TestNextAttempt(t *testing.T) {
	r := &Runner{cfg: NewDefaultConfig()}
	now := time.Now()
	p := func(attempts uint32, outcome agora.DeliveryOutcome, ago time.Duration) *pendingEvent {
		return &pendingEvent{Attempts: attempts, Outcome: string(outcome), LastAt: now.Add(-ago)}
	}
	n, due := r.next(p(0, "", 0), now)
	assert.Equal(t, []any{uint32(1), true}, []any{n, due}, "a new change: first attempt now")
	n, due = r.next(p(2, agora.DeliveryFailed, 5*time.Second), now)
	assert.Equal(t, []any{uint32(3), false}, []any{n, due}, "second failure waits 10s")
	_, due = r.next(p(2, agora.DeliveryFailed, 11*time.Second), now)
	assert.True(t, due)
	_, due = r.next(p(1, agora.DeliveryClaimed, 5*time.Second), now)
	assert.False(t, due, "an attempt in flight")
	n, due = r.next(p(1, agora.DeliveryClaimed, time.Minute), now)
	assert.Equal(t, []any{uint32(2), true}, []any{n, due}, "a claim whose replica went quiet")
}

func event(state agora.AlertState, format agora.WebhookFormat) agora.AlertEventRow {
	return agora.AlertEventRow{OrgID: "org", RuleID: uuid.New(), Seq: 1, EventID: uuid.New(), State: string(state), Value: 0.5, Samples: 8,
		RuleName: "checkout errors", Kind: "error_rate", ProjectName: "shop", WorkflowName: "Checkout", WindowSeconds: 300,
		Threshold: 0.2, MinSamples: 5, WebhookFormat: string(format), At: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
}

func TestPayloads(t *testing.T) {
	ev := event(agora.AlertFiring, agora.WebhookGeneric)
	b, err := body(&ev, "https://agora.example.com/")
	require.NoError(t, err)
	var p Payload
	require.NoError(t, json.Unmarshal(b, &p))
	assert.Equal(t, "firing", p.State)
	assert.Equal(t, 0.5, p.Value)
	assert.Equal(t, uint64(8), p.Samples)
	assert.Equal(t, PayloadRule{ID: ev.RuleID.String(), Name: "checkout errors", Kind: "error_rate", ProjectName: "shop", WorkflowName: "Checkout",
		WindowSeconds: 300, Threshold: 0.2, MinSamples: 5}, p.Rule)
	assert.Equal(t, "[FIRING] checkout errors: error rate 50.0% > 20.0% over the last 5m0s (8 executions, shop / Checkout)", p.Summary)
	assert.Equal(t, "https://agora.example.com/#/?from=2026-11-26T11%3A55%3A00Z&project=shop&status=error&workflow=Checkout", p.ExecutionsURL)

	ev = event(agora.AlertResolved, agora.WebhookSlack)
	b, err = body(&ev, "")
	require.NoError(t, err)
	var slack map[string]string
	require.NoError(t, json.Unmarshal(b, &slack))
	assert.Equal(t, map[string]string{"text": "[RESOLVED] checkout errors: error rate 50.0% ≤ 20.0% over the last 5m0s (8 executions, shop / Checkout)"}, slack)
}

// TestSendRefusesPrivateAddresses: without allow_private_networks a name
// that resolves to loopback is refused at dial time; with it the post
// goes through. The error never carries the URL's path.
func TestSendRefusesPrivateAddresses(t *testing.T) {
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	ev := event(agora.AlertFiring, agora.WebhookGeneric)
	ev.WebhookURL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/secret-path"

	cfg := NewDefaultConfig().Webhooks
	_, err := send(context.Background(), newClient(cfg), &ev, "")
	require.ErrorIs(t, err, errPrivate)
	assert.NotContains(t, err.Error(), "secret-path")
	assert.Nil(t, got)

	cfg.AllowPrivateNetworks = true
	status, err := send(context.Background(), newClient(cfg), &ev, "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(got), `"state":"firing"`)
}

func TestSendCountsNon2xxAsFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Redirect(w, &http.Request{}, "http://elsewhere.example/", http.StatusFound)
	}))
	defer srv.Close()
	ev := event(agora.AlertFiring, agora.WebhookGeneric)
	ev.WebhookURL = srv.URL + "/hook"
	cfg := NewDefaultConfig().Webhooks
	cfg.AllowPrivateNetworks = true
	status, err := send(context.Background(), newClient(cfg), &ev, "")
	assert.Equal(t, http.StatusFound, status, "redirects are not followed")
	assert.Error(t, err)
}

func TestConfigValidate(t *testing.T) {
	cfg := NewDefaultConfig()
	require.NoError(t, cfg.Validate())
	cfg.Interval, cfg.MaxRulesPerOrg, cfg.PublicURL = 0, 0, "javascript:alert(1)"
	cfg.Webhooks.MaxAttempts = 0
	err := cfg.Validate()
	for _, want := range []error{ErrInterval, ErrMaxRules, ErrPublicURL, ErrWebhooks} {
		assert.ErrorIs(t, err, want)
	}
}

func TestMeasurementValues(t *testing.T) {
	m := measurement{finished: 10, failed: 3, timeouts: 1, executions: 12, p95Ms: 2500, tokens: 900, cost: 0.12}
	for kind, want := range map[agora.AlertKind][2]float64{
		agora.AlertErrorRate: {0.3, 10}, agora.AlertTimeouts: {1, 10}, agora.AlertP95Duration: {2.5, 10},
		agora.AlertTokens: {900, 12}, agora.AlertCost: {0.12, 12},
	} {
		v, n := m.value(kind)
		assert.InDelta(t, want[0], v, 1e-9, kind)
		assert.Equal(t, uint64(want[1]), n, kind)
	}
	v, n := measurement{}.value(agora.AlertErrorRate)
	assert.Equal(t, []float64{0, 0}, []float64{v, float64(n)}, "no finished executions: no samples")
}
