package sqltemplates

import (
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
			assert.Contains(t, sql, "IF NOT EXISTS", "%s must be idempotent", name)
		}
	}
}
