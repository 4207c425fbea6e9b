//go:build integration

package clickhouseexporter

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// spansAt is one span per start time, of org, named name-i.
func spansAt(td ptrace.Traces, org, name string, starts ...time.Time) {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(agora.AttrOrgID, org)
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i, at := range starts {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{byte(i + 1), 1})
		s.SetSpanID(pcommon.SpanID{byte(i + 1), byte(len(org))})
		s.SetName(fmt.Sprintf("%s-%d", name, i))
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Millisecond)))
	}
}

type deadLetterRow struct {
	OrgID     string `ch:"OrgId"`
	TableName string `ch:"TableName"`
	Reason    string `ch:"Reason"`
	Record    string `ch:"Record"`
	Block     string `ch:"Block"`
}

// TestIntegrationRefusedRowGoesToDeadLetters: one row ClickHouse refuses
// (a 1985 start, which the spans table's constraint forbids; the exporter's
// time window, which would clamp it, is off here) in a batch with good rows
// of two orgs: the good rows are stored, the refused one is kept with its
// reason, and it replays once its cause is fixed.
func TestIntegrationRefusedRowGoesToDeadLetters(t *testing.T) {
	conn := chtest.Conn(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for name, endpoint := range map[string]string{"native": chtest.NativeEndpoint(), "http": chtest.HTTPEndpoint()} {
		t.Run(name, func(t *testing.T) {
			// prepare
			db := chtest.NewDatabase(t, conn)
			c, _ := startClient(t, endpoint, db, func(c *Config) { c.Timestamps = agora.TimeWindow{} })
			td := ptrace.NewTraces()
			spansAt(td, "org-a", "good-a", now, now, now)
			spansAt(td, "org-b", "good-b", now, now, now)
			spansAt(td, "org-a", "bad", time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC))
			// test
			require.NoError(t, c.pushTraces(context.Background(), td))
			// verify
			var names []string
			for _, r := range selectSpans(t, conn, db) {
				names = append(names, r.OrgID+"/"+r.Name)
			}
			assert.ElementsMatch(t, []string{"org-a/good-a-0", "org-a/good-a-1", "org-a/good-a-2", "org-b/good-b-0", "org-b/good-b-1", "org-b/good-b-2"}, names)
			letters := chtest.Rows[deadLetterRow](t, conn, "SELECT OrgId, TableName, Reason, Record, Block FROM `"+db+"`.dead_letters FINAL")
			require.Len(t, letters, 1)
			assert.Equal(t, "org-a", letters[0].OrgID)
			assert.Equal(t, "spans", letters[0].TableName)
			assert.Contains(t, letters[0].Reason, "timestamp_after_2000")
			assert.Contains(t, letters[0].Record, `"name":"bad-0"`)

			// replay, once the cause is gone, as the README says: the
			// blocks selected as RawBLOB, posted back as Native
			require.NoError(t, conn.Exec(context.Background(), "ALTER TABLE `"+db+"`.spans DROP CONSTRAINT timestamp_after_2000"))
			blocks := httpQuery(t, "SELECT Block FROM `"+db+"`.dead_letters FINAL WHERE TableName = 'spans' FORMAT RawBLOB", nil)
			httpQuery(t, "INSERT INTO `"+db+"`.spans FORMAT Native", blocks)
			assert.Len(t, selectSpans(t, conn, db), 7, "the dead letter's block is the row, replayable as is")
		})
	}
}

// TestIntegrationManyPartitionsSplit: rows spanning 120 days (more
// partitions than one insert may touch) are split, never dropped.
func TestIntegrationManyPartitionsSplit(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c, _ := startClient(t, chtest.HTTPEndpoint(), db, func(c *Config) { c.Timestamps = agora.TimeWindow{} })
	var days []time.Time
	for i := range 120 {
		days = append(days, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i))
	}
	td := ptrace.NewTraces()
	spansAt(td, "org-a", "day", days...)
	require.NoError(t, c.pushTraces(context.Background(), td))
	assert.Len(t, selectSpans(t, conn, db), 120)
	var letters uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM `"+db+"`.dead_letters").Scan(&letters))
	assert.Zero(t, letters)
}

// TestIntegrationTimestampsClamped: a span from a year ago is stored at the
// window's edge, its own time kept in an attribute.
func TestIntegrationTimestampsClamped(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c, _ := startClient(t, chtest.HTTPEndpoint(), db, nil)
	old := time.Now().UTC().AddDate(-1, 0, 0).Truncate(time.Microsecond)
	td := ptrace.NewTraces()
	spansAt(td, "org-a", "old", old)
	require.NoError(t, c.pushTraces(context.Background(), td))
	rows := selectSpans(t, conn, db)
	require.Len(t, rows, 1)
	assert.WithinDuration(t, time.Now().Add(-agora.DefaultTimeWindow.Past), rows[0].StartTime, time.Minute)
	assert.Equal(t, old.Format(time.RFC3339Nano), rows[0].Attributes[agora.AttrOriginalTimestamp])
}

// httpQuery runs one query over ClickHouse's HTTP interface, body as its
// data, and returns the answer.
func httpQuery(t *testing.T, query string, body []byte) []byte {
	t.Helper()
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := noKeepAlive.Post(chtest.HTTPEndpoint()+"/?query="+url.QueryEscape(query), "application/octet-stream", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(out))
	return out
}
