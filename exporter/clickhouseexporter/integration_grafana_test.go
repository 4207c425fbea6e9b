//go:build integration

package clickhouseexporter

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// TestIntegrationGrafanaTraceQueries runs the query shapes Grafana's
// ClickHouse plugin (OTel mode) generates — as its sqlGenerator tests spell
// them — against a spans table this exporter wrote: the trace-id lookup
// bounded by <table>_trace_id_ts with events and links, the one without it,
// and the trace search.
func TestIntegrationGrafanaTraceQueries(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	exp, err := startExporter(t, chtest.NativeEndpoint(), db, nil)
	require.NoError(t, err)
	require.NoError(t, exp.ConsumeTraces(context.Background(), testTraces()))
	require.NoError(t, exp.Shutdown(context.Background()))
	trace := "4bf92f3577b34da6a3ce929d0e0e4736"
	table := fmt.Sprintf(`"%s"."spans"`, db)

	columns := `"TraceId" as traceID, "SpanId" as spanID, "ParentSpanId" as parentSpanID, "ServiceName" as serviceName, "SpanName" as operationName,
		multiply(toUnixTimestamp64Nano("Timestamp"), 0.000001) as startTime, multiply("Duration", 0.000001) as duration,
		arrayMap(key -> map('key', key, 'value', "SpanAttributes"[key]), mapKeys("SpanAttributes")) as tags,
		arrayMap(key -> map('key', key, 'value', "ResourceAttributes"[key]), mapKeys("ResourceAttributes")) as serviceTags,
		if("StatusCode" IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) as statusCode`
	withTimes := fmt.Sprintf(`WITH '%s' as trace_id,
		(SELECT min(Start) FROM "%s"."spans_trace_id_ts" WHERE TraceId = trace_id) as trace_start,
		(SELECT max(End) + 1 FROM "%s"."spans_trace_id_ts" WHERE TraceId = trace_id) as trace_end `, trace, db, db)
	nested := `,
		arrayMap((name, timestamp, attributes) -> tuple(name, toString(toUnixTimestamp64Milli(timestamp)), arrayMap(key -> map('key', key, 'value', attributes[key]), mapKeys(attributes)))::Tuple(name String, timestamp String, fields Array(Map(String, String))), "Events".Name, "Events".Timestamp, "Events".Attributes) AS logs,
		arrayMap((traceID, spanID, attributes) -> tuple(traceID, spanID, arrayMap(key -> map('key', key, 'value', attributes[key]), mapKeys(attributes)))::Tuple(traceID String, spanID String, tags Array(Map(String, String))), "Links".TraceId, "Links".SpanId, "Links".Attributes) AS references,
		"SpanKind" as kind, "StatusMessage" as statusMessage, "ScopeName" as instrumentationLibraryName, "ScopeVersion" as instrumentationLibraryVersion, "TraceState" as traceState`

	for name, query := range map[string]string{
		"trace id, time-bounded, events and links": withTimes + "SELECT " + columns + nested + " FROM " + table +
			` WHERE traceID = trace_id AND "Timestamp" >= trace_start AND "Timestamp" <= trace_end LIMIT 1000`,
		"trace id, no lookup table": "SELECT " + columns + " FROM " + table + fmt.Sprintf(" WHERE traceID = '%s' LIMIT 1000", trace),
	} {
		t.Run(name, func(t *testing.T) {
			rows, err := conn.Query(context.Background(), query)
			require.NoError(t, err)
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
				vals := make([]any, len(rows.ColumnTypes()))
				for i, ct := range rows.ColumnTypes() {
					vals[i] = reflect.New(ct.ScanType()).Interface()
				}
				require.NoError(t, rows.Scan(vals...))
			}
			require.NoError(t, rows.Err())
			assert.Equal(t, 1, n, "the span is found")
		})
	}

	// The trace search over the time range (macros filled in as Grafana does).
	from, to := testStart.Add(-time.Hour).Unix(), testStart.Add(time.Hour).Unix()
	var found uint64
	var status uint8
	require.NoError(t, conn.QueryRow(context.Background(), fmt.Sprintf(`SELECT count() FROM (SELECT "TraceId" as traceID, "ServiceName" as serviceName, "SpanName" as operationName,
		"Timestamp" as startTime, multiply("Duration", 0.000001) as duration FROM %s WHERE ( Timestamp >= toDateTime(%d) AND Timestamp <= toDateTime(%d) )
		AND ( ParentSpanId = '' OR ParentSpanId != '' ) AND ( Duration > 0 ) ORDER BY Timestamp DESC, Duration DESC LIMIT 1000)`, table, from, to)).Scan(&found))
	assert.Equal(t, uint64(1), found)
	require.NoError(t, conn.QueryRow(context.Background(), fmt.Sprintf(`SELECT if("StatusCode" IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) FROM %s`, table)).Scan(&status))
	assert.Equal(t, uint8(2), status, "error spans read as errors")
}
