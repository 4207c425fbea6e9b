package sqltemplates

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRenderSpansTable(t *testing.T) {
	sql, err := Render("spans_table.sql", Data{Database: "agora", TTLSeconds: 3600})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(sql, "CREATE TABLE IF NOT EXISTS `agora`.spans ("))
	assert.Contains(t, sql, "ORDER BY (OrgId, toDate(Timestamp), TraceId, SpanId)\nTTL toDateTime(Timestamp) + toIntervalSecond(3600)\n")

	noTTL, err := Render("spans_table.sql", Data{Database: "agora"})
	require.NoError(t, err)
	assert.NotContains(t, noTTL, "TTL toDateTime")
}

func TestIdentQuotesBackticks(t *testing.T) {
	sql, err := Render("database.sql", Data{Database: "a`b"})
	require.NoError(t, err)
	assert.Equal(t, "CREATE DATABASE IF NOT EXISTS `a``b`", sql)
}

func TestMigrationsWellFormed(t *testing.T) {
	seen := map[uint32]bool{}
	for i, m := range Migrations {
		assert.Equal(t, uint32(i+1), m.Version, "versions are consecutive from 1")
		assert.False(t, seen[m.Version])
		seen[m.Version] = true
		for _, name := range m.Statements {
			sql, err := Render(name, Data{Database: "agora"})
			require.NoError(t, err)
			// Idempotent: guarded by IF [NOT] EXISTS, a MODIFY COLUMN to the
			// type it already has, a MODIFY SETTING to the value it already
			// has, or a copy guarded by its source table
			// whose repetition changes nothing (min/max), or a backfill of a
			// ReplacingMergeTree.
			idempotent := strings.Contains(sql, "IF NOT EXISTS") || strings.Contains(sql, "IF EXISTS") ||
				strings.Contains(sql, "MODIFY COLUMN") || strings.Contains(sql, "MODIFY SETTING") || m.OnlyIfTable[name] != "" || slices.Contains(m.Backfills, name)
			assert.True(t, idempotent, "%s must be idempotent: %s", name, sql)
		}
	}
}

// TestTTLColumnsMatchTheTables: TTLColumns names every table created with a
// TTL, by the column its CREATE statement counts from.
func TestTTLColumnsMatchTheTables(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Migrations {
		for _, name := range m.Statements {
			sql, err := Render(name, Data{Database: "agora", TTLSeconds: 60})
			require.NoError(t, err)
			if !strings.Contains(sql, "CREATE TABLE IF NOT EXISTS") || !strings.Contains(sql, "TTL ") {
				continue
			}
			table := sql[strings.Index(sql, "`agora`.")+len("`agora`."):]
			table = table[:strings.IndexAny(table, " (")]
			if table == "trace_id_ts" {
				continue // dropped by migration 7
			}
			col, listed := TTLColumns[table]
			require.True(t, listed, "table %s has a TTL but is not in TTLColumns", table)
			assert.Contains(t, sql, "TTL toDateTime("+col+")", table)
			seen[table] = true
		}
	}
	assert.Len(t, seen, len(TTLColumns), "every listed table exists")
}
