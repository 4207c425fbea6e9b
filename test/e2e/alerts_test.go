//go:build integration

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/alerts"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// webhook is a local receiver of alert notifications. It answers 503 to
// the first failFirst requests, then 200; delivered are the payloads it
// answered 200.
type webhook struct {
	srv       *httptest.Server
	failFirst int64
	requests  atomic.Int64
	mu        sync.Mutex
	delivered []alerts.Payload
}

func newWebhook(t *testing.T, failFirst int64) *webhook {
	w := &webhook{failFirst: failFirst}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n := w.requests.Add(1)
		b, _ := io.ReadAll(r.Body)
		if n <= w.failFirst {
			rw.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var p alerts.Payload
		if err := json.Unmarshal(b, &p); err != nil {
			rw.WriteHeader(http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.delivered = append(w.delivered, p)
		w.mu.Unlock()
	}))
	t.Cleanup(w.srv.Close)
	return w
}

// byState are the delivered payloads of a state.
func (w *webhook) byState(state string) []alerts.Payload {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []alerts.Payload
	for _, p := range w.delivered {
		if p.State == state {
			out = append(out, p)
		}
	}
	return out
}

// alertOptions: a collector evaluating every 100ms and retrying a failed
// notification after 200ms.
func alertOptions(db string) options {
	return options{db: db, env: []string{"AGORA_ALERTS_INTERVAL=100ms", "AGORA_PUBLIC_URL=https://agora.example.com"},
		args: []string{"--config=yaml:extensions::agoraui::alerts::webhooks::initial_interval: 200ms"}}
}

func (c *collector) createRule(t *testing.T, key, body string) string {
	t.Helper()
	code, resp := c.uiCall(t, key, http.MethodPost, "alerts/rules", body)
	require.Equal(t, http.StatusOK, code, resp)
	return resp["id"].(string)
}

func ruleBody(name, workflow, url string) string {
	return fmt.Sprintf(`{"name": %q, "kind": "error_rate", "project_name": "p", "workflow_name": %q, "window_seconds": 600, "threshold": 0.5, "min_samples": 2, "webhook_url": %q}`,
		name, workflow, url)
}

// settle waits long enough for many evaluations and delivery checks.
func settle() { time.Sleep(1500 * time.Millisecond) }

// TestAlertFiresOnceAndResolves: a rule over one org's Checkout workflow
// fires once when its error rate crosses the threshold — not for another
// org's errors, not again while it stays above — and resolves once when it
// falls back; the history shows both, delivered.
func TestAlertFiresOnceAndResolves(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollectorWith(t, alertOptions(db))
	keyA, _ := c.newKey(t, "acme", 0, apikey.Scopes...)
	keyB, _ := c.newKey(t, "globex", 0, apikey.Scopes...)
	readA, _ := c.newKey(t, "acme", 0, apikey.ScopeRead)
	hook := newWebhook(t, 0)

	// Only admin keys manage rules; a field error names the field.
	code, resp := c.uiCall(t, readA, http.MethodPost, "alerts/rules", ruleBody("r", "Checkout", hook.srv.URL))
	assert.Equal(t, http.StatusForbidden, code, resp)
	code, resp = c.uiCall(t, keyA, http.MethodPost, "alerts/rules", `{"name": "r", "kind": "error_rate", "window_seconds": 5, "threshold": 0.5, "min_samples": 2, "webhook_url": "http://x"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, resp["detail"], "window_seconds")

	rule := c.createRule(t, keyA, ruleBody("checkout errors", "Checkout", hook.srv.URL+"/hook"))
	// Another org neither sees nor deletes it.
	code, resp = c.uiCall(t, keyB, http.MethodGet, "alerts/rules", "")
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, resp["rules"])
	code, _ = c.uiCall(t, keyB, http.MethodDelete, "alerts/rules/"+rule, "")
	assert.Equal(t, http.StatusNotFound, code)
	// A read key sees it without the webhook's path.
	code, resp = c.uiCall(t, readA, http.MethodGet, "alerts/rules", "")
	require.Equal(t, http.StatusOK, code)
	assert.NotContains(t, resp["rules"].([]any)[0].(map[string]any)["webhook_url"], "/hook")

	// Send test: one test payload, answered at once.
	code, resp = c.uiCall(t, keyA, http.MethodPost, "alerts/rules/"+rule+"/test", "")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, true, resp["delivered"], resp)
	require.Len(t, hook.byState("test"), 1)

	// The other org's Checkout fails: nothing for acme.
	for range 3 {
		c.seedRun(t, keyB, "Checkout", "error", 1)
	}
	settle()
	assert.Empty(t, hook.byState("firing"), "another org's errors")

	// Two failed runs of two: 100% > 50% with the minimum two samples.
	c.seedRun(t, keyA, "Checkout", "error", 1)
	settle()
	assert.Empty(t, hook.byState("firing"), "one sample is below min_samples")
	c.seedRun(t, keyA, "Checkout", "error", 1)
	require.Eventually(t, func() bool { return len(hook.byState("firing")) > 0 }, 15*time.Second, 50*time.Millisecond)
	settle()
	firing := hook.byState("firing")
	require.Len(t, firing, 1, "one notification while it stays above")
	p := firing[0]
	assert.Equal(t, rule, p.Rule.ID)
	assert.Equal(t, alerts.PayloadRule{ID: rule, Name: "checkout errors", Kind: "error_rate", ProjectName: "p", WorkflowName: "Checkout",
		WindowSeconds: 600, Threshold: 0.5, MinSamples: 2}, p.Rule)
	assert.Equal(t, 1.0, p.Value)
	assert.Equal(t, uint64(2), p.Samples)
	assert.Contains(t, p.ExecutionsURL, "https://agora.example.com/#/?")
	assert.Contains(t, p.ExecutionsURL, "status=error")
	assert.Contains(t, p.ExecutionsURL, "workflow=Checkout")

	// Three successes: 2 of 5 failed, 40% ≤ 50%: resolved, once.
	for range 3 {
		c.seedRun(t, keyA, "Checkout", "success", 1)
	}
	require.Eventually(t, func() bool { return len(hook.byState("resolved")) > 0 }, 15*time.Second, 50*time.Millisecond)
	settle()
	resolved := hook.byState("resolved")
	require.Len(t, resolved, 1)
	assert.InDelta(t, 0.4, resolved[0].Value, 1e-9)
	assert.Equal(t, uint64(5), resolved[0].Samples)
	assert.Len(t, hook.byState("firing"), 1)

	// The history: resolved, firing, test — newest first, all delivered.
	code, resp = c.uiCall(t, keyA, http.MethodGet, "alerts/events", "")
	require.Equal(t, http.StatusOK, code, resp)
	events := resp["events"].([]any)
	require.Len(t, events, 3)
	for i, state := range []string{"resolved", "firing", "test"} {
		e := events[i].(map[string]any)
		assert.Equal(t, state, e["state"])
		assert.Equal(t, "delivered", e["delivery"], e)
		assert.NotContains(t, e, "webhook_url", "the URL stays out of the history")
	}
	code, resp = c.uiCall(t, keyB, http.MethodGet, "alerts/events", "")
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, resp["events"], "nothing of acme's for globex")

	// Deleted: no more evaluations; the history stays.
	code, _ = c.uiCall(t, keyA, http.MethodDelete, "alerts/rules/"+rule, "")
	require.Equal(t, http.StatusOK, code)
	code, resp = c.uiCall(t, keyA, http.MethodGet, "alerts/rules", "")
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, resp["rules"])
}

// TestAlertWebhookDownRetried: the webhook answers 503 three times; the
// firing notification is retried with backoff and delivered on the fourth
// attempt, once, and the delivery log says so.
func TestAlertWebhookDownRetried(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollectorWith(t, alertOptions(db))
	key, _ := c.newKey(t, "acme", 0, apikey.Scopes...)
	hook := newWebhook(t, 3)
	c.createRule(t, key, ruleBody("down", "Pay", hook.srv.URL))
	c.seedRun(t, key, "Pay", "error", 1)
	c.seedRun(t, key, "Pay", "error", 1)

	require.Eventually(t, func() bool { return len(hook.byState("firing")) > 0 }, 30*time.Second, 50*time.Millisecond)
	settle()
	assert.Len(t, hook.byState("firing"), 1)
	assert.Equal(t, int64(4), hook.requests.Load(), "three refused, the fourth delivered, no more")

	code, resp := c.uiCall(t, key, http.MethodGet, "alerts/events", "")
	require.Equal(t, http.StatusOK, code, resp)
	events := resp["events"].([]any)
	require.Len(t, events, 1)
	ev := events[0].(map[string]any)
	assert.Equal(t, "delivered", ev["delivery"])
	assert.Equal(t, 4.0, ev["attempts"])
	code, resp = c.uiCall(t, key, http.MethodGet, "alerts/events/"+ev["id"].(string)+"/deliveries", "")
	require.Equal(t, http.StatusOK, code, resp)
	var outcomes []string
	for _, d := range resp["deliveries"].([]any) {
		d := d.(map[string]any)
		if d["outcome"] != "claimed" {
			outcomes = append(outcomes, fmt.Sprintf("%v:%v:%v", d["attempt"], d["outcome"], d["status_code"]))
		}
	}
	assert.Equal(t, []string{"1:failed:503", "2:failed:503", "3:failed:503", "4:delivered:200"}, outcomes)
}

// TestAlertTwoCollectorsNotifyOnce: two collectors on one database both
// evaluate the rule every 100ms; each state change is notified once.
func TestAlertTwoCollectorsNotifyOnce(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	one := startCollectorWith(t, alertOptions(db))
	o := alertOptions(db)
	o.keysFile = one.keysFile
	two := startCollectorWith(t, o)
	key, k := one.newKey(t, "acme", 0, apikey.Scopes...)
	two.waitKeyActive(t, &k, key)
	hook := newWebhook(t, 0)
	one.createRule(t, key, ruleBody("twice?", "Ship", hook.srv.URL))

	one.seedRun(t, key, "Ship", "error", 1)
	two.seedRun(t, key, "Ship", "error", 1)
	require.Eventually(t, func() bool { return len(hook.byState("firing")) > 0 }, 15*time.Second, 50*time.Millisecond)
	settle()
	assert.Len(t, hook.byState("firing"), 1, "one firing notification from two collectors")

	for range 3 {
		two.seedRun(t, key, "Ship", "success", 1)
	}
	require.Eventually(t, func() bool { return len(hook.byState("resolved")) > 0 }, 15*time.Second, 50*time.Millisecond)
	settle()
	assert.Len(t, hook.byState("resolved"), 1, "one resolved notification from two collectors")
	assert.Equal(t, int64(2), hook.requests.Load())
}

// TestWebhookSSRF: with allow_private_networks off (the gateway's
// default), a rule's author cannot make the collector call what runs next
// to it: a private or metadata address is refused when the rule is saved,
// and a name that resolves to this machine is refused when dialled — the local
// receiver never sees a request.
func TestWebhookSSRF(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	o := alertOptions(db)
	o.env = append(o.env, "AGORA_WEBHOOKS_ALLOW_PRIVATE=false")
	c := startCollectorWith(t, o)
	key, _ := c.newKey(t, "acme", 0, apikey.Scopes...)
	hook := newWebhook(t, 0)
	port := hook.srv.Listener.Addr().(*net.TCPAddr).Port

	for _, target := range []string{hook.srv.URL, fmt.Sprintf("http://localhost:%d/", port), "http://169.254.169.254/latest/meta-data/", "http://[::1]:80/", "http://10.0.0.1/"} {
		code, resp := c.uiCall(t, key, http.MethodPost, "alerts/rules", ruleBody("ssrf", "", target))
		assert.Equal(t, http.StatusBadRequest, code, resp)
		assert.Contains(t, resp["detail"], "webhook_url")
		attack(t, "webhooks", "rule with webhook "+target, code == http.StatusBadRequest)
	}
	// A name that passes the check but resolves to this machine: its
	// host name (in /etc/hosts, loopback or a private address).
	host, err := os.Hostname()
	require.NoError(t, err)
	addrs, err := net.LookupHost(host)
	require.NoError(t, err, "this test needs the machine's host name to resolve")
	t.Logf("%s resolves to %v", host, addrs)
	rule := c.createRule(t, key, ruleBody("ssrf by name", "", fmt.Sprintf("http://%s:%d/hook", host, port)))
	code, resp := c.uiCall(t, key, http.MethodPost, "alerts/rules/"+rule+"/test", "")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, false, resp["delivered"])
	assert.Contains(t, resp["error"], "private")
	assert.NotContains(t, resp["error"], "/hook", "the URL's path stays out of errors")
	assert.Zero(t, hook.requests.Load(), "the loopback receiver was never called")
	attack(t, "webhooks", "webhook name resolving to this machine", hook.requests.Load() == 0)
}
