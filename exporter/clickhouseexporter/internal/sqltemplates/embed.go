// Package sqltemplates holds the exporter's SQL as embedded templates and the
// ordered list of schema migrations. Identifiers come only from validated
// config and are quoted by ident; values always travel as query parameters.
package sqltemplates // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"

import (
	"embed"

	"github.com/agora-otelcol/agora-otelcol/internal/sqltmpl"
)

//go:embed *.sql
var files embed.FS

var templates = sqltmpl.Must(files)

// Data is what every template is rendered from.
type Data struct {
	// Database holds every table.
	Database string
	// TTLSeconds drops rows older than this; 0 keeps them forever.
	TTLSeconds int64
	// Table is the table a statement of a per-table step alters.
	Table string
}

// Render renders the named template (its file name) with d.
func Render(name string, d Data) (string, error) { return templates.Render(name, d) }

// Migration is one schema step. Each statement is idempotent (IF NOT EXISTS),
// so a migration interrupted half-way, or run by two collectors at once, is
// safe to run again.
type Migration struct {
	Version    uint32
	Name       string
	Statements []string // template names, run in order
	// OnlyIfTable names, per statement, a table that must exist for it to
	// run (a copy out of a table an earlier run of the step dropped).
	OnlyIfTable map[string]string
	// Backfills are statements that copy rows into a ReplacingMergeTree:
	// run again, they add versions it already holds.
	Backfills []string
	// ForTables runs the step's statements once per table (Data.Table).
	ForTables []string
}

// Migrations is the schema's history. Append only: never edit an applied step.
var Migrations = []Migration{
	{Version: 1, Name: "spans", Statements: []string{"spans_table.sql"}},
	{Version: 2, Name: "trace id time window", Statements: []string{"trace_id_ts_table.sql", "trace_id_ts_mv.sql"}},
	{Version: 3, Name: "node executions, events, logs", Statements: []string{"node_executions_table.sql", "events_table.sql", "logs_table.sql"}},
	{Version: 4, Name: "executions", Statements: []string{"executions_table.sql"}},
	{Version: 5, Name: "trace ids, truncated and retracted records", Statements: []string{"executions_v5_columns.sql", "node_executions_v5_columns.sql"}},
	{Version: 6, Name: "dead letters; no row before 2000", Statements: []string{"dead_letters_table.sql", "spans_v6_constraint.sql", "logs_v6_constraint.sql"}},
	{Version: 7, Name: "Grafana's names: spans_trace_id_ts; ExecutionId a UUID in spans and logs", Statements: []string{
		"spans_trace_id_ts_table.sql", "spans_trace_id_ts_mv.sql", "trace_id_ts_v7_drop_mv.sql", "trace_id_ts_v7_copy.sql", "trace_id_ts_v7_drop.sql",
		"spans_v7_execution_id_drop_index.sql", "spans_v7_execution_id_uuid.sql", "spans_v7_execution_id_index.sql",
		"logs_v7_execution_id_drop_index.sql", "logs_v7_execution_id_uuid.sql", "logs_v7_execution_id_index.sql",
	}, OnlyIfTable: map[string]string{"trace_id_ts_v7_copy.sql": "trace_id_ts"}},
	{Version: 8, Name: "workflow graphs", Statements: []string{"workflow_nodes_table.sql", "workflow_edges_table.sql"}},
	{Version: 9, Name: "sessions, models and providers", Statements: []string{"executions_v9_columns.sql", "node_executions_v9_columns.sql"}},
	{Version: 10, Name: "alert rules, events and deliveries", Statements: []string{"alert_rules_table.sql", "alert_events_table.sql", "alert_deliveries_table.sql"}},
	{Version: 11, Name: "node runs by workflow and time", Statements: []string{"node_runs_table.sql", "node_runs_mv.sql", "node_runs_v11_copy.sql"},
		Backfills: []string{"node_runs_v11_copy.sql"}},
	{Version: 12, Name: "node executions with LLM usage", Statements: []string{"node_usage_table.sql", "node_usage_mv.sql", "node_usage_v12_copy.sql"},
		Backfills: []string{"node_usage_v12_copy.sql"}},
	{Version: 13, Name: "user ids; searchable text", Statements: []string{"executions_v13_columns.sql", "search_text_table.sql",
		"search_text_executions_mv.sql", "search_text_nodes_mv.sql", "search_text_v13_copy_executions.sql", "search_text_v13_copy_nodes.sql"},
		Backfills: []string{"search_text_v13_copy_executions.sql", "search_text_v13_copy_nodes.sql"}},
	{Version: 14, Name: "spans: compact parts up to 256 MiB", Statements: []string{"spans_v14_compact_parts.sql"}},
	{Version: 15, Name: "ingest tables: fewer, wider merges", Statements: []string{"merge_selector_v15.sql"}, ForTables: IngestTables},
	{Version: 16, Name: "ingest tables: compact parts up to 256 MiB", Statements: []string{"compact_parts_v16.sql"}, ForTables: IngestTables},
}

// IngestTables are the tables every request writes to (directly or through
// a materialized view).
var IngestTables = []string{"spans", "spans_trace_id_ts", "logs", "events", "executions", "node_executions", "node_runs", "node_usage", "search_text"}

// Bootstrap creates what the migration runner itself needs.
var Bootstrap = []string{"database.sql", "schema_migrations_table.sql", "schema_settings_table.sql"}

// TTLColumns are the tables that drop old rows, by the time column their
// TTL counts from (as their CREATE statements spell it).
var TTLColumns = map[string]string{
	"spans": "Timestamp", "spans_trace_id_ts": "Start", "logs": "Timestamp", "events": "Timestamp",
	"executions": "LastSeen", "node_executions": "StartedAt", "alert_deliveries": "At", "node_runs": "StartedAt", "node_usage": "StartedAt",
	"search_text": "StartedAt",
}
