package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// errPrivate: a webhook's name resolved to an address it may not reach.
var errPrivate = errors.New("webhook address is private, loopback or link-local (allow_private_networks is off)")

// newClient is the webhooks' HTTP client: no proxy, no redirects (a 3xx
// is a failed attempt), and, unless allowed, no private destinations —
// checked on the address actually dialled, so DNS cannot smuggle one in.
func newClient(cfg WebhookConfig) *http.Client {
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	if !cfg.AllowPrivateNetworks {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || private(ap.Addr()) {
				return errPrivate
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: cfg.Timeout,
		Transport: &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: cfg.Timeout,
			MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Payload is the generic webhook's JSON body.
type Payload struct {
	Version       int         `json:"version"`
	EventID       string      `json:"event_id"`
	State         string      `json:"state"`
	At            time.Time   `json:"at"`
	Value         float64     `json:"value"`
	Samples       uint64      `json:"samples"`
	Summary       string      `json:"summary"`
	Rule          PayloadRule `json:"rule"`
	ExecutionsURL string      `json:"executions_url,omitempty"`
}

// PayloadRule is the rule as it was when its state changed.
type PayloadRule struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	Kind          string  `json:"kind"`
	ProjectName   string  `json:"project_name"`
	WorkflowName  string  `json:"workflow_name"`
	WindowSeconds uint32  `json:"window_seconds"`
	Threshold     float64 `json:"threshold"`
	MinSamples    uint32  `json:"min_samples"`
}

// body is the event's payload in its webhook's format.
func body(ev *agora.AlertEventRow, publicURL string) ([]byte, error) {
	link := executionsURL(ev, publicURL)
	if ev.WebhookFormat == string(agora.WebhookSlack) {
		text := summary(ev)
		if link != "" {
			text += " · <" + link + "|executions>"
		}
		return json.Marshal(map[string]string{"text": text})
	}
	return json.Marshal(Payload{Version: 1, EventID: ev.EventID.String(), State: ev.State, At: ev.At.UTC(), Value: finite(ev.Value),
		Samples: ev.Samples, Summary: summary(ev), ExecutionsURL: link, Rule: PayloadRule{ID: ev.RuleID.String(), Name: ev.RuleName,
			Kind: ev.Kind, ProjectName: ev.ProjectName, WorkflowName: ev.WorkflowName, WindowSeconds: ev.WindowSeconds,
			Threshold: ev.Threshold, MinSamples: ev.MinSamples}})
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// summary is one line a person reads: state, rule, value against threshold.
func summary(ev *agora.AlertEventRow) string {
	scope := "all workflows"
	if ev.WorkflowName != "" || ev.ProjectName != "" {
		scope = strings.Trim(ev.ProjectName+" / "+ev.WorkflowName, " /")
	}
	head := map[string]string{string(agora.AlertFiring): "FIRING", string(agora.AlertResolved): "RESOLVED", string(agora.AlertTest): "TEST"}[ev.State]
	if ev.State == string(agora.AlertTest) {
		return fmt.Sprintf("[TEST] %s: a test notification from Agora (%s, %s)", ev.RuleName, kindLabel(ev.Kind), scope)
	}
	op := ">"
	if ev.State == string(agora.AlertResolved) {
		op = "≤"
	}
	return fmt.Sprintf("[%s] %s: %s %s %s %s over the last %s (%d executions, %s)", head, ev.RuleName, kindLabel(ev.Kind),
		formatValue(ev.Kind, ev.Value), op, formatValue(ev.Kind, ev.Threshold), (time.Duration(ev.WindowSeconds) * time.Second).String(), ev.Samples, scope)
}

func kindLabel(kind string) string {
	return map[string]string{string(agora.AlertErrorRate): "error rate", string(agora.AlertTimeouts): "timeouts",
		string(agora.AlertP95Duration): "p95 duration", string(agora.AlertTokens): "tokens", string(agora.AlertCost): "cost"}[kind]
}

func formatValue(kind string, v float64) string {
	switch kind {
	case string(agora.AlertErrorRate):
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case string(agora.AlertP95Duration):
		return strconv.FormatFloat(v, 'f', 2, 64) + " s"
	case string(agora.AlertCost):
		return "$" + strconv.FormatFloat(v, 'f', 4, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// executionsURL links to the Monitoring page filtered to the rule's
// workflow, window and (for errors and timeouts) status.
func executionsURL(ev *agora.AlertEventRow, publicURL string) string {
	if publicURL == "" {
		return ""
	}
	q := url.Values{}
	q.Set("from", ev.At.Add(-time.Duration(ev.WindowSeconds)*time.Second).UTC().Format(time.RFC3339))
	if ev.ProjectName != "" {
		q.Set("project", ev.ProjectName)
	}
	if ev.WorkflowName != "" {
		q.Set("workflow", ev.WorkflowName)
	}
	switch ev.Kind {
	case string(agora.AlertErrorRate):
		q.Set("status", string(agora.StatusError))
	case string(agora.AlertTimeouts):
		q.Set("status", string(agora.StatusTimeout))
	}
	return strings.TrimRight(publicURL, "/") + "/#/?" + q.Encode()
}

// send posts the event to its webhook: the status code, and an error
// unless it was 2xx. The error never holds the URL (its path may be a
// secret).
func send(ctx context.Context, client *http.Client, ev *agora.AlertEventRow, publicURL string) (int, error) {
	b, err := body(ev, publicURL)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ev.WebhookURL, bytes.NewReader(b))
	if err != nil {
		return 0, errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "agora-otelcol-alerts/1")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return 0, fmt.Errorf("webhook %s: %w", Redact(ev.WebhookURL), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("webhook %s answered %d", Redact(ev.WebhookURL), resp.StatusCode)
	}
	return resp.StatusCode, nil
}
