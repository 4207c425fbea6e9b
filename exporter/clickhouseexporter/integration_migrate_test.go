//go:build integration

package clickhouseexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// TestIntegrationMigrationV7: a database of schema 6 with spans (String
// ExecutionId) and a trace_id_ts row moves to Grafana's names and UUID
// execution ids keeping its data; running the step again changes nothing.
func TestIntegrationMigrationV7(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	ctx := context.Background()
	data := sqltemplates.Data{Database: db}
	require.NoError(t, migrateSteps(ctx, conn, data, zap.NewNop(), sqltemplates.Migrations[:6]))
	require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+db+"`.spans (OrgId, ExecutionId, Timestamp, TraceId, SpanId) VALUES "+
		"('org-1', '01a2178a-dbeb-8de4-bd02-921b1cfe9318', '2026-11-25 10:00:00', 'aa', '01'), ('org-1', '01a2178a-dbeb-8de4-bd02-921b1cfe9318', '2026-11-25 10:00:05', 'aa', '02')"))

	require.NoError(t, migrate(ctx, conn, data, zap.NewNop()))
	assertV7 := func() {
		var typ string
		require.NoError(t, conn.QueryRow(ctx, "SELECT toTypeName(ExecutionId) FROM `"+db+"`.spans LIMIT 1").Scan(&typ))
		assert.Equal(t, "UUID", typ)
		var start, end time.Time
		require.NoError(t, conn.QueryRow(ctx, "SELECT min(Start), max(End) FROM `"+db+"`.spans_trace_id_ts WHERE TraceId = 'aa'").Scan(&start, &end))
		assert.Equal(t, []time.Time{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 10, 0, 5, 0, time.UTC)}, []time.Time{start.UTC(), end.UTC()})
		var old uint8
		require.NoError(t, conn.QueryRow(ctx, "EXISTS TABLE `"+db+"`.trace_id_ts").Scan(&old))
		assert.Zero(t, old, "the old table is gone")
		var n uint64
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM `"+db+"`.spans WHERE ExecutionId = '01a2178a-dbeb-8de4-bd02-921b1cfe9318'").Scan(&n))
		assert.Equal(t, uint64(2), n)
	}
	assertV7()
	// Interrupted and run again: forget it was applied.
	require.NoError(t, conn.Exec(ctx, "DELETE FROM `"+db+"`.schema_migrations WHERE Version = 7"))
	require.NoError(t, migrate(ctx, conn, data, zap.NewNop()))
	assertV7()
}

// TestIntegrationMigrationV11: node executions stored before node_runs
// existed are copied into it; later ones arrive through its view; running
// the step again leaves one row per node execution.
func TestIntegrationMigrationV11(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	ctx := context.Background()
	data := sqltemplates.Data{Database: db}
	require.NoError(t, migrateSteps(ctx, conn, data, zap.NewNop(), sqltemplates.Migrations[:10]))
	insert := func(id string) {
		require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+db+"`.node_executions (OrgId, ExecutionId, NodeExecutionId, WorkflowId, NodeName, Status, StartedAt, Model, Version) VALUES "+
			"('org-1', '01a2178a-dbeb-8de4-bd02-921b1cfe9318', ?, '11111111-1111-4111-8111-111111111111', 'Think', 'success', '2026-11-25 10:00:00', 'gpt-4o', now64(9))", id))
	}
	insert("00000000-0000-4000-8000-000000000001")
	require.NoError(t, migrate(ctx, conn, data, zap.NewNop()))
	insert("00000000-0000-4000-8000-000000000002")
	count := func() uint64 {
		var n uint64
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM `"+db+"`.node_runs FINAL WHERE OrgId = 'org-1' AND Model = 'gpt-4o'").Scan(&n))
		return n
	}
	assert.Equal(t, uint64(2), count(), "the old row copied, the new one through the view")
	require.NoError(t, conn.Exec(ctx, "DELETE FROM `"+db+"`.schema_migrations WHERE Version = 11"))
	require.NoError(t, migrate(ctx, conn, data, zap.NewNop()))
	assert.Equal(t, uint64(2), count(), "a second copy adds nothing")
}

// TestIntegrationMigrationV12: node executions with usage, stored before
// node_usage existed, are copied into it; later ones arrive through its
// view; those without usage stay out.
func TestIntegrationMigrationV12(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	ctx := context.Background()
	data := sqltemplates.Data{Database: db}
	require.NoError(t, migrateSteps(ctx, conn, data, zap.NewNop(), sqltemplates.Migrations[:11]))
	insert := func(id, tokens string) {
		require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+db+"`.node_executions (OrgId, ExecutionId, NodeExecutionId, NodeName, Status, StartedAt, TotalTokens, Version) VALUES "+
			"('org-1', '01a2178a-dbeb-8de4-bd02-921b1cfe9318', ?, 'Think', 'success', '2026-11-25 10:00:00', "+tokens+", now64(9))", id))
	}
	insert("00000000-0000-4000-8000-000000000001", "17")
	insert("00000000-0000-4000-8000-000000000002", "NULL")
	require.NoError(t, migrate(ctx, conn, data, zap.NewNop()))
	insert("00000000-0000-4000-8000-000000000003", "5")
	insert("00000000-0000-4000-8000-000000000004", "NULL")
	var n uint64
	var sum int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(), sum(TotalTokens) FROM `"+db+"`.node_usage FINAL WHERE OrgId = 'org-1'").Scan(&n, &sum))
	assert.Equal(t, []any{uint64(2), int64(22)}, []any{n, sum})
}

// TestIntegrationMigrationV15: every ingest table of a schema-14 database
// merges about ten parts at once after the step, its rows kept; a fresh
// database gets the same; running the step again changes nothing.
func TestIntegrationMigrationV15(t *testing.T) {
	conn, old := testIngestSettingStep(t, 15, "merge_selector_base", "10", "spans")
	ctx := context.Background()
	require.NoError(t, conn.Exec(ctx, "DELETE FROM `"+old+"`.schema_migrations WHERE Version = 15"))
	require.NoError(t, migrate(ctx, conn, sqltemplates.Data{Database: old}, zap.NewNop()))
	assert.Equal(t, "10", tableSetting(t, conn, old, "search_text", "merge_selector_base"))
	assertSpanKept(t, conn, old)
}

// TestIntegrationMigrationV16: every table a request writes to keeps parts
// compact up to 256 MiB, upgraded (its rows kept) or fresh.
func TestIntegrationMigrationV16(t *testing.T) {
	conn, old := testIngestSettingStep(t, 16, "min_bytes_for_wide_part", "268435456", "node_executions")
	assertSpanKept(t, conn, old)
}

// testIngestSettingStep migrates a database holding a span up to the step
// before version (where unset names the setting at its default), then to
// the newest schema, and a fresh database too: every ingest table of both
// has setting = want. It returns the upgraded database.
func testIngestSettingStep(t *testing.T, version int, setting, want, unset string) (driver.Conn, string) {
	conn := chtest.Conn(t)
	ctx := context.Background()
	old := chtest.NewDatabase(t, conn)
	data := sqltemplates.Data{Database: old}
	require.NoError(t, migrateSteps(ctx, conn, data, zap.NewNop(), sqltemplates.Migrations[:version-1]))
	require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+old+"`.spans (OrgId, ExecutionId, Timestamp, TraceId, SpanId) VALUES "+
		"('org-1', '01a2178a-dbeb-8de4-bd02-921b1cfe9318', '2026-11-25 10:00:00', 'aa', '01')"))
	assert.Empty(t, tableSetting(t, conn, old, unset, setting), "schema %d has %s at its default", version-1, setting)
	require.NoError(t, migrate(ctx, conn, data, zap.NewNop()))
	fresh := chtest.NewDatabase(t, conn)
	require.NoError(t, migrate(ctx, conn, sqltemplates.Data{Database: fresh}, zap.NewNop()))
	for _, table := range sqltemplates.IngestTables {
		assert.Equal(t, want, tableSetting(t, conn, old, table, setting), "upgraded %s", table)
		assert.Equal(t, want, tableSetting(t, conn, fresh, table, setting), "fresh %s", table)
	}
	return conn, old
}

// assertSpanKept: the span testIngestSettingStep stored is still there.
func assertSpanKept(t *testing.T, conn driver.Conn, db string) {
	var n uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM `"+db+"`.spans WHERE TraceId = 'aa'").Scan(&n))
	assert.Equal(t, uint64(1), n)
}

// tableSetting is the value of a table's setting as its CREATE statement
// shows it, "" when it has the default.
func tableSetting(t *testing.T, conn driver.Conn, db, table, name string) string {
	var v string
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT extract(create_table_query, ?) FROM system.tables WHERE database = ? AND name = ?",
		name+" = ([0-9]+)", db, table).Scan(&v))
	return v
}

// TestIntegrationTTLFollowsConfig: restarting with another ttl changes the
// tables' TTL (and 0 removes it), recorded in schema_settings.
func TestIntegrationTTLFollowsConfig(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	ttlOf := func(table string) string {
		var engine string
		require.NoError(t, conn.QueryRow(context.Background(), "SELECT engine_full FROM system.tables WHERE database = ? AND name = ?", db, table).Scan(&engine))
		return engine
	}
	for _, ttl := range []time.Duration{720 * time.Hour, 24 * time.Hour, 0, time.Hour} {
		exp, err := startExporter(t, chtest.NativeEndpoint(), db, func(c *Config) { c.TTL = ttl })
		require.NoError(t, err)
		require.NoError(t, exp.Shutdown(context.Background()))
		for table, col := range sqltemplates.TTLColumns {
			if ttl == 0 {
				assert.NotContains(t, ttlOf(table), " TTL ", "%s: ttl 0 keeps rows forever", table)
			} else {
				assert.Contains(t, ttlOf(table), fmt.Sprintf("TTL toDateTime(%s) + toIntervalSecond(%d)", col, int64(ttl.Seconds())), table)
			}
		}
		var recorded string
		require.NoError(t, conn.QueryRow(context.Background(), "SELECT Value FROM `"+db+"`.schema_settings FINAL WHERE Name = 'ttl'").Scan(&recorded))
		assert.Equal(t, fmt.Sprint(int64(ttl.Seconds())), recorded)
	}
}
