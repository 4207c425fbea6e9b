package agorauiextension

import (
	"strings"
	"testing"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/queries"
	"github.com/agora-otelcol/agora-otelcol/internal/alerts"
	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

func load(t *testing.T, name string) *Config {
	return testutil.LoadConfig[Config](t, NewFactory(), name)
}

func TestLoadConfig(t *testing.T) {
	cfg := load(t, "")
	require.NoError(t, cfg.Validate())
	assert.Equal(t, "agora", cfg.ClickHouse.DatabaseName())
	assert.Equal(t, 10*time.Second, cfg.QueryTimeout)
	assert.Equal(t, "apikeyauth", cfg.Authenticator.String())
	assert.Equal(t, SessionConfig{IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour}, cfg.Session)

	full := load(t, "full")
	require.NoError(t, full.Validate())
	assert.Equal(t, "0.0.0.0:9090", full.HTTP.NetAddr.Endpoint)
	assert.Equal(t, "telemetry", full.ClickHouse.DatabaseName())
	assert.Equal(t, "ui", full.ClickHouse.Username)
	assert.Equal(t, 3*time.Second, full.QueryTimeout)
	assert.Equal(t, "apikeyauth/ui", full.Authenticator.String())
	assert.Equal(t, SessionConfig{IdleTimeout: 10 * time.Minute, MaxAge: time.Hour}, full.Session)
	assert.Equal(t, alerts.Config{Enabled: true, Interval: time.Minute, MaxRulesPerOrg: 20, PublicURL: "https://agora.example.com",
		Webhooks: alerts.WebhookConfig{Timeout: 5 * time.Second, InitialInterval: 10 * time.Second, MaxInterval: 10 * time.Minute,
			MaxAttempts: 5, AllowPrivateNetworks: true}}, full.Alerts)
	assert.Equal(t, alerts.NewDefaultConfig(), cfg.Alerts)
	assert.Equal(t, LiveConfig{PollInterval: time.Second, MaxConnections: 20, MaxConnectionsPerOrg: 2, Buffer: 100, MaxRowsPerPoll: 50,
		MaxDuration: 10 * time.Minute}, full.Live)
	assert.Equal(t, newDefaultLiveConfig(), cfg.Live)
}

func TestAlertsConfigErrors(t *testing.T) {
	err := load(t, "bad_alerts").Validate()
	for _, want := range []error{alerts.ErrInterval, alerts.ErrPublicURL, alerts.ErrWebhooks} {
		assert.ErrorIs(t, err, want)
	}
}

func TestConfigValidateErrors(t *testing.T) {
	for name, want := range map[string]error{
		"bad_clickhouse": chclient.ErrBadEndpoint,
		"bad_database":   chclient.ErrBadDatabase,
		"no_auth":        errNoAuthenticator,
		"http_auth":      errHTTPAuth,
		"bad_session":    errSession,
		"zero_timeout":   errTimeout,
		"bad_live":       errLive,
	} {
		t.Run(name, func(t *testing.T) { assert.ErrorIs(t, load(t, name).Validate(), want) })
	}
}

func TestQueriesRender(t *testing.T) {
	for _, name := range []string{"list", "counts", "execution", "traces", "nodes", "spans", "events", "snapshots", "workflows", "metrics", "series",
		"graph_nodes", "graph_edges", "graph_stats", "graph_transitions", "usage_models", "usage_workflows", "llm_spans",
		"sessions", "session_runs", "live_executions", "live_nodes", "live_spans", "search_ids", "found_runs"} {
		for _, d := range []queries.Data{{Database: "agora", Sort: "StartedAt", Order: "DESC", Group: "SessionId"},
			{Database: "agora", Sort: "StartedAt", Order: "DESC", Node: true, Search: true, Group: "UserId"},
			{Database: "agora", Sort: "StartedAt", Order: "DESC", IDs: true}} {
			sql, err := queries.Render(name+".sql", d)
			require.NoError(t, err, name)
			assert.Contains(t, sql, "`agora`.", name)
			// Every FROM is scoped to the caller's org, subqueries too.
			assert.Equal(t, strings.Count(sql, "FROM `agora`."), strings.Count(sql, "OrgId = ?"), "%s: every table read is scoped to the caller's org", name)
		}
	}
}
