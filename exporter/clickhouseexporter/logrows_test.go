package clickhouseexporter

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	pdatareq "go.opentelemetry.io/collector/pdata/xpdata/request"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// mixedLogs: a compact execution record, a node record in the map form
// and a plain log, of org-1, observed at observed.
func mixedLogs(observed time.Time) (plog.Logs, agora.Execution) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(agora.AttrOrgID, "org-1")
	rl.Resource().Attributes().PutStr(agora.ResourceService, "svc")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	exec := uuid.New()
	x := agora.Execution{Scope: agora.Scope{ExecutionID: exec, ProjectName: "proj", WorkflowName: "wf"},
		Status: agora.StatusSuccess, StartedAt: time.Now().UTC().Truncate(time.Microsecond), NodeCount: 3}
	x.AppendRecord(lrs, agora.RecordEncodingCompact)
	n := agora.NodeExecution{Scope: x.Scope, ID: agora.ItemID(exec, "node_execution", "Think"), NodeName: "Think",
		Status: agora.StatusSuccess, StartedAt: x.StartedAt}
	n.AppendRecord(lrs, agora.RecordEncodingMap)
	lrs.AppendEmpty().Body().SetStr("hello")
	for _, lr := range lrs.All() {
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	}
	return ld, x
}

// TestLogRowsKeepEveryRecord: a compact record becomes a compact row (its
// body as it was, with org, execution and times); any other record an
// OTLP row that reads back as the record with its resource and scope.
func TestLogRowsKeepEveryRecord(t *testing.T) {
	observed := time.Now().UTC()
	ld, x := mixedLogs(observed)
	r := convertLogs(ld)
	require.Equal(t, 3, r.ItemsCount())

	c, err := readCompactRow(r.row(0))
	require.NoError(t, err)
	assert.Equal(t, rowExecution, c.kind)
	assert.Equal(t, "org-1", c.org)
	assert.Equal(t, x.ExecutionID, c.exec)
	assert.True(t, observed.Equal(c.version()))
	got, err := agora.DecodeCompactExecution(c.exec, c.body)
	require.NoError(t, err)
	assert.Equal(t, x.Status, got.Status)
	assert.Equal(t, int64(3), got.NodeCount)
	org, item := describeCompactRow(r.row(0))
	assert.Equal(t, "org-1", org)
	assert.Contains(t, item, agora.EventExecutionRecord)

	for i, want := range []string{agora.EventNodeExecutionRecord, ""} {
		row := r.row(i + 1)
		require.Equal(t, logRowOTLP, row[0])
		one, err := logsUnmarshaler.UnmarshalLogs(row[1:])
		require.NoError(t, err)
		require.Equal(t, 1, one.LogRecordCount())
		rl := one.ResourceLogs().At(0)
		assert.Equal(t, map[string]any{agora.AttrOrgID: "org-1", agora.ResourceService: "svc"}, rl.Resource().Attributes().AsRaw())
		assert.Equal(t, want, rl.ScopeLogs().At(0).LogRecords().At(0).EventName())
	}
	rt := route(plogOfRows(t, r))
	assert.Len(t, rt.nodes, 1, "the map-form record decodes for its table")
	assert.Len(t, rt.other, 1)
}

// plogOfRows reads a request's OTLP rows back into one Logs.
func plogOfRows(t *testing.T, r *rowRequest) plog.Logs {
	ld := plog.NewLogs()
	for i := range r.ItemsCount() {
		if row := r.row(i); row[0] == logRowOTLP {
			one, err := logsUnmarshaler.UnmarshalLogs(row[1:])
			require.NoError(t, err)
			one.ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
		}
	}
	return ld
}

// TestLogEncoding: the queue's bytes decode to the same rows; a damaged
// item is refused; an item an older version wrote (OTLP protobuf) is still
// read, and converted.
func TestLogEncoding(t *testing.T) {
	ld, _ := mixedLogs(time.Now())
	req := convertLogs(ld)
	b, err := logEncoding().Marshal(context.Background(), req)
	require.NoError(t, err)
	_, back, err := logEncoding().Unmarshal(append([]byte(nil), b...))
	require.NoError(t, err)
	require.Equal(t, req.ItemsCount(), back.ItemsCount())
	for i := range req.ItemsCount() {
		assert.Equal(t, req.row(i), back.(*rowRequest).row(i))
	}
	_, _, err = logEncoding().Unmarshal([]byte{rowsV1, 0xff, 0xff, 0xff, 0x7f, 1})
	require.Error(t, err)

	old, err := pdatareq.MarshalLogs(context.Background(), ld)
	require.NoError(t, err)
	_, conv, err := logEncoding().Unmarshal(old)
	require.NoError(t, err)
	assert.Equal(t, 3, conv.ItemsCount())
	assert.Equal(t, logRowCompact, conv.(*rowRequest).row(0)[0])
}

// TestDamagedCompactRowIsRefused: every truncation of a compact row's head
// is an error, never a panic.
func TestDamagedCompactRowIsRefused(t *testing.T) {
	ld, _ := mixedLogs(time.Now())
	row := convertLogs(ld).row(0)
	for n := range 2 + 1 + 5 + 16 {
		_, err := readCompactRow(row[:n])
		assert.Error(t, err, "cut at %d", n)
	}
	org, item := describeCompactRow([]byte{logRowCompact})
	assert.Empty(t, org)
	assert.Contains(t, item, "damaged")
}
