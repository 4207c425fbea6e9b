package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/alerts"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

var errRuleNotFound = apiError{http.StatusNotFound, "alert rule not found"}

// listRules: GET /api/alerts/rules: the org's rules; a webhook URL whole
// only for admin keys (a Slack URL's path is its secret).
func (u *ui) listRules(ctx context.Context, k *apikey.Key, _ *http.Request, _ []string) (any, error) {
	rules, err := u.alerts.Store().Rules(ctx, k.OrgID)
	if err != nil {
		return nil, err
	}
	if k.Require(apikey.ScopeAdmin) != nil {
		for i := range rules {
			rules[i].WebhookURL = alerts.Redact(rules[i].WebhookURL)
		}
	}
	if rules == nil {
		rules = []agora.AlertRuleRow{}
	}
	return map[string]any{"rules": rules}, nil
}

// readRule decodes and checks a rule; errors name the field.
func (u *ui) readRule(r *http.Request) (alerts.RuleInput, error) {
	var in alerts.RuleInput
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return in, badParam(te.Field, "must be a "+te.Type.Kind().String())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return in, badParam(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "not a field of a rule")
		}
		return in, badParam("body", "must be a JSON object")
	}
	if err := in.Validate(u.cfg.Alerts.Webhooks.AllowPrivateNetworks); err != nil {
		var fe alerts.FieldError
		if errors.As(err, &fe) {
			return in, badParam(fe.Field, fe.Msg)
		}
		return in, err
	}
	return in, nil
}

func ruleRow(org string, id uuid.UUID, created time.Time, in *alerts.RuleInput) agora.AlertRuleRow {
	return agora.AlertRuleRow{OrgID: org, RuleID: id, Name: in.Name, Kind: in.Kind, ProjectName: in.ProjectName,
		WorkflowName: in.WorkflowName, WindowSeconds: uint32(in.WindowSeconds), Threshold: in.Threshold,
		MinSamples: uint32(in.MinSamples), WebhookURL: in.WebhookURL, WebhookFormat: in.WebhookFormat, Enabled: *in.Enabled,
		CreatedAt: created}
}

// createRule: POST /api/alerts/rules.
func (u *ui) createRule(ctx context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	in, err := u.readRule(r)
	if err != nil {
		return nil, err
	}
	existing, err := u.alerts.Store().Rules(ctx, k.OrgID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= u.cfg.Alerts.MaxRulesPerOrg {
		return nil, apiError{http.StatusConflict, "the org has its maximum of alert rules; delete one first"}
	}
	row := ruleRow(k.OrgID, uuid.New(), time.Now().UTC(), &in)
	if err := u.alerts.Store().SaveRule(ctx, &row); err != nil {
		return nil, err
	}
	return row, nil
}

// rule is the org's rule named in the path.
func (u *ui) rule(ctx context.Context, k *apikey.Key, arg string) (agora.AlertRuleRow, error) {
	id, err := uuid.Parse(arg)
	if err != nil {
		return agora.AlertRuleRow{}, errRuleNotFound
	}
	rule, err := u.alerts.Store().Rule(ctx, k.OrgID, id)
	if errors.Is(err, alerts.ErrNotFound) {
		return rule, errRuleNotFound
	}
	return rule, err
}

// replaceRule: PUT /api/alerts/rules/{id}: every field anew. Its state
// (firing or not) carries over.
func (u *ui) replaceRule(ctx context.Context, k *apikey.Key, r *http.Request, args []string) (any, error) {
	old, err := u.rule(ctx, k, args[0])
	if err != nil {
		return nil, err
	}
	in, err := u.readRule(r)
	if err != nil {
		return nil, err
	}
	row := ruleRow(k.OrgID, old.RuleID, old.CreatedAt, &in)
	if err := u.alerts.Store().SaveRule(ctx, &row); err != nil {
		return nil, err
	}
	return row, nil
}

// deleteRule: DELETE /api/alerts/rules/{id}; its history stays.
func (u *ui) deleteRule(ctx context.Context, k *apikey.Key, _ *http.Request, args []string) (any, error) {
	rule, err := u.rule(ctx, k, args[0])
	if err != nil {
		return nil, err
	}
	rule.Deleted = true
	if err := u.alerts.Store().SaveRule(ctx, &rule); err != nil {
		return nil, err
	}
	return map[string]any{"deleted": true}, nil
}

// testRule: POST /api/alerts/rules/{id}/test: one test notification now;
// the answer says how the webhook took it.
func (u *ui) testRule(ctx context.Context, k *apikey.Key, _ *http.Request, args []string) (any, error) {
	rule, err := u.rule(ctx, k, args[0])
	if err != nil {
		return nil, err
	}
	out, err := u.alerts.SendTest(ctx, &rule)
	if err != nil && out.EventID == uuid.Nil {
		return nil, err
	}
	return map[string]any{"event_id": out.EventID, "delivered": out.Outcome == string(agora.DeliveryDelivered),
		"status_code": out.StatusCode, "error": out.Error}, nil
}

// alertEvents: GET /api/alerts/events?rule=&limit=: the org's alert
// history, newest first, with each notification's delivery.
func (u *ui) alertEvents(ctx context.Context, k *apikey.Key, r *http.Request, _ []string) (any, error) {
	q := r.URL.Query()
	limit, err := intParam(q, "limit", 50, 1, 500)
	if err != nil {
		return nil, err
	}
	rule := q.Get("rule")
	if rule != "" {
		if _, err := uuid.Parse(rule); err != nil {
			return nil, badParam("rule", "not a rule id")
		}
	}
	events, err := u.alerts.Store().Events(ctx, k.OrgID, rule, limit)
	if err != nil {
		return nil, err
	}
	if events == nil {
		events = []alerts.EventView{}
	}
	return map[string]any{"events": events}, nil
}

// alertDeliveries: GET /api/alerts/events/{id}/deliveries: an event's
// delivery log.
func (u *ui) alertDeliveries(ctx context.Context, k *apikey.Key, _ *http.Request, args []string) (any, error) {
	id, err := uuid.Parse(args[0])
	if err != nil {
		return nil, apiError{http.StatusNotFound, "alert event not found"}
	}
	rows, err := u.alerts.Store().Deliveries(ctx, k.OrgID, id)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []agora.AlertDeliveryRow{}
	}
	return map[string]any{"deliveries": rows}, nil
}
