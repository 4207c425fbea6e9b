package alerts

import (
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// RuleInput is a rule as the API receives it (create and replace).
type RuleInput struct {
	Name          string  `json:"name"`
	Kind          string  `json:"kind"`
	ProjectName   string  `json:"project_name"`
	WorkflowName  string  `json:"workflow_name"`
	WindowSeconds int64   `json:"window_seconds"`
	Threshold     float64 `json:"threshold"`
	MinSamples    int64   `json:"min_samples"`
	WebhookURL    string  `json:"webhook_url"`
	WebhookFormat string  `json:"webhook_format"`
	Enabled       *bool   `json:"enabled"`
}

// FieldError names the field a rule got wrong.
type FieldError struct{ Field, Msg string }

func (e FieldError) Error() string { return e.Field + ": " + e.Msg }

// Bounds of a rule: the window keeps each evaluation's query to a week of
// one org's executions.
const (
	MinWindowSeconds = 60
	MaxWindowSeconds = 7 * 24 * 3600
	MaxMinSamples    = 1_000_000
	maxName          = 200
	maxURL           = 2048
)

// Validate checks the input and fills defaults (format generic, enabled).
// allowPrivate is the config's allow_private_networks: without it a
// webhook may not name a private address outright (names are checked
// again when dialled).
func (in *RuleInput) Validate(allowPrivate bool) error {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > maxName:
		return FieldError{"name", fmt.Sprintf("required, at most %d characters", maxName)}
	case !slices.Contains(agora.AlertKinds, agora.AlertKind(in.Kind)):
		return FieldError{"kind", "must be one of " + joinKinds()}
	case len(in.ProjectName) > 256 || len(in.WorkflowName) > 256:
		return FieldError{"project_name", "project_name and workflow_name: at most 256 bytes"}
	case in.WindowSeconds < MinWindowSeconds || in.WindowSeconds > MaxWindowSeconds:
		return FieldError{"window_seconds", fmt.Sprintf("must be from %d to %d", MinWindowSeconds, MaxWindowSeconds)}
	case math.IsNaN(in.Threshold) || math.IsInf(in.Threshold, 0) || in.Threshold < 0:
		return FieldError{"threshold", "must be a number, 0 or more"}
	case in.Kind == string(agora.AlertErrorRate) && in.Threshold > 1:
		return FieldError{"threshold", "an error rate is from 0 to 1"}
	case in.MinSamples < 1 || in.MinSamples > MaxMinSamples:
		return FieldError{"min_samples", fmt.Sprintf("must be from 1 to %d", MaxMinSamples)}
	}
	if in.WebhookFormat == "" {
		in.WebhookFormat = string(agora.WebhookGeneric)
	}
	if !slices.Contains(agora.WebhookFormats, agora.WebhookFormat(in.WebhookFormat)) {
		return FieldError{"webhook_format", "must be generic or slack"}
	}
	if in.Enabled == nil {
		t := true
		in.Enabled = &t
	}
	return checkWebhookURL(in.WebhookURL, allowPrivate)
}

func checkWebhookURL(raw string, allowPrivate bool) error {
	if raw == "" || len(raw) > maxURL {
		return FieldError{"webhook_url", fmt.Sprintf("required, at most %d characters", maxURL)}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return FieldError{"webhook_url", "must be an http or https URL"}
	}
	if u.User != nil {
		return FieldError{"webhook_url", "must not carry a user or password"}
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !allowPrivate && private(ip) {
		return FieldError{"webhook_url", "names a private, loopback or link-local address (allow_private_networks is off)"}
	}
	if !allowPrivate && strings.EqualFold(u.Hostname(), "localhost") {
		return FieldError{"webhook_url", "names localhost (allow_private_networks is off)"}
	}
	return nil
}

// private: an address a webhook must not reach unless allowed.
func private(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(ip) // carrier-grade NAT, often internal
}

func joinKinds() string {
	s := make([]string, len(agora.AlertKinds))
	for i, k := range agora.AlertKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Redact is a webhook URL fit for logs and read-scope answers: its
// scheme and host (a Slack URL's path is its secret).
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
