//go:build integration

package clickhouseexporter

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// TestIntegrationGrafanaDashboard runs every panel query of the shipped
// Grafana dashboard (deploy/grafana) against the schema, with the plugin's
// macros filled in as it fills them: a dashboard that no longer matches the
// tables fails here, not in front of a user.
func TestIntegrationGrafanaDashboard(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	exp, err := startExporter(t, chtest.NativeEndpoint(), db, nil)
	require.NoError(t, err)
	require.NoError(t, exp.ConsumeTraces(context.Background(), testTraces()))
	require.NoError(t, exp.Shutdown(context.Background()))

	b, err := os.ReadFile("../../deploy/grafana/dashboards/agora-executions.json")
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct {
				RawSQL string `json:"rawSql"`
			}
		}
	}
	require.NoError(t, json.Unmarshal(b, &dash))
	require.NotEmpty(t, dash.Panels)
	from, to := time.Now().Add(-24*time.Hour).Unix(), time.Now().Unix()
	timeFilter := regexp.MustCompile(`\$__timeFilter\((\w+)\)`)
	timeInterval := regexp.MustCompile(`\$__timeInterval\((\w+)\)`)
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			sql := strings.ReplaceAll(target.RawSQL, "agora.", "`"+db+"`.")
			sql = timeFilter.ReplaceAllString(sql, fmt.Sprintf("$1 >= toDateTime(%d) AND $1 <= toDateTime(%d)", from, to))
			sql = timeInterval.ReplaceAllString(sql, "toStartOfInterval($1, INTERVAL 60 second)")
			rows, err := conn.Query(context.Background(), sql)
			require.NoError(t, err, "panel %q: %s", p.Title, sql)
			rows.Close()
		}
	}
}
