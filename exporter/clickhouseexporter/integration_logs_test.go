//go:build integration

package clickhouseexporter

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

func ptr[T any](v T) *T { return &v }

var (
	execID  = uuid.MustParse("bf59bb5a-4111-839d-aa04-b6b863de62d5")
	started = time.Date(2026, 11, 25, 17, 19, 5, 208537000, time.UTC)
)

func testLogs(status agora.Status, observed time.Time, enc agora.RecordEncoding) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(agora.AttrOrgID, "org-1")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	scope := agora.Scope{ExecutionID: execID, ProjectName: "proj", ProjectID: agora.ProjectID("org-1", "proj"), WorkflowName: "wf"}
	scope.WorkflowID = agora.WorkflowID(scope.ProjectID, "wf")
	input := pcommon.NewValueMap()
	input.Map().PutStr("q", "2+2")
	n := agora.NodeExecution{
		Scope: scope, ID: agora.ItemID(execID, "node_execution", "Think"), NodeID: agora.NodeID(scope.WorkflowID, "Think"),
		NodeName: "Think", NodeType: "TracedAsyncNode", Status: status, StartedAt: started, CompletedAt: ptr(started.Add(80 * time.Millisecond)),
		PrepDurationMs: ptr(5.0), ExecDurationMs: ptr(70.5), RetryCount: 1, ErrorMessage: "", Input: input,
		Output: pcommon.NewValueStr("4"), TotalTokens: ptr(int64(17)), EstimatedCost: ptr(0.0012),
	}
	// The processor's record goes to node_executions; the SDK's report it
	// was folded from is kept in logs.
	n.AppendRecord(lrs, enc)
	n.Append(lrs, agora.EventNodeReported)
	data := pcommon.NewValueMap()
	data.Map().PutStr("node", "Think")
	ev := agora.Event{Scope: scope, ID: agora.ItemID(execID, "event", "1"), EventType: "node_start", Timestamp: started, Data: data}
	ev.Append(lrs)
	(&agora.ExecutionStart{Scope: scope, StartedAt: started, Input: input}).Append(lrs)
	// A plain OTLP log, no event name.
	plain := lrs.AppendEmpty()
	plain.Body().SetStr("hello")
	plain.SetTimestamp(pcommon.NewTimestampFromTime(started))
	for _, lr := range lrs.All() {
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	}
	return ld
}

func TestIntegrationStoresLogsByEventName(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	cfg := createDefaultConfig().(*Config)
	cfg.Connection.Endpoint, cfg.Connection.Database = chtest.NativeEndpoint(), db
	exp, err := NewFactory().CreateLogs(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	now := time.Now()
	require.NoError(t, exp.ConsumeLogs(context.Background(), testLogs("running", now, agora.RecordEncodingMap)))
	// The same node later succeeds, its record in the compact form (each
	// form lands alike); the same batch is also retried.
	require.NoError(t, exp.ConsumeLogs(context.Background(), testLogs("success", now.Add(time.Second), agora.RecordEncodingCompact)))
	require.NoError(t, exp.ConsumeLogs(context.Background(), testLogs("success", now.Add(time.Second), agora.RecordEncodingCompact)))
	require.NoError(t, exp.Shutdown(context.Background()))

	nodes := chtest.Rows[agora.NodeExecutionRow](t, conn, "SELECT * EXCEPT Version FROM `"+db+"`.node_executions FINAL")
	require.Len(t, nodes, 1, "one row per node execution, the newest version")
	scopeProject := agora.ProjectID("org-1", "proj")
	assert.Equal(t, agora.NodeExecutionRow{
		OrgID: "org-1", ExecutionID: execID, NodeExecutionID: agora.ItemID(execID, "node_execution", "Think"),
		ProjectID: scopeProject, WorkflowID: agora.WorkflowID(scopeProject, "wf"),
		ProjectName: "proj", WorkflowName: "wf", NodeID: agora.NodeID(agora.WorkflowID(scopeProject, "wf"), "Think"),
		NodeName: "Think", NodeType: "TracedAsyncNode", Status: "success", StartedAt: started, CompletedAt: ptr(started.Add(80 * time.Millisecond)),
		PrepDurationMs: ptr(5.0), ExecDurationMs: ptr(70.5), RetryCount: 1, Input: `{"q":"2+2"}`, Output: `"4"`,
		TotalTokens: ptr(int64(17)), EstimatedCost: ptr(0.0012),
	}, nodes[0])

	events := chtest.Rows[agora.EventRow](t, conn, "SELECT * FROM `"+db+"`.events FINAL")
	assert.Equal(t, []agora.EventRow{{OrgID: "org-1", ExecutionID: execID, EventID: agora.ItemID(execID, "event", "1"), ProjectName: "proj",
		WorkflowName: "wf", EventType: "node_start", Timestamp: started, Data: `{"node":"Think"}`}}, events)

	var logs []struct {
		EventName   string    `ch:"EventName"`
		ExecutionID uuid.UUID `ch:"ExecutionId"`
		Body        string    `ch:"Body"`
	}
	require.NoError(t, conn.Select(context.Background(), &logs, "SELECT EventName, ExecutionId, Body FROM `"+db+"`.logs FINAL WHERE OrgId = 'org-1' ORDER BY EventName DESC"))
	require.Len(t, logs, 3, "the node report (keyed by its item id, newest wins), one start, one plain log: re-sent records keep one row")
	assert.Equal(t, agora.EventNodeReported, logs[0].EventName)
	assert.Contains(t, logs[0].Body, `"status":"success"`)
	assert.Equal(t, agora.EventExecutionStarted, logs[1].EventName)
	assert.Equal(t, execID, logs[1].ExecutionID)
	assert.JSONEq(t, `{"workflow_name":"wf","project_name":"proj","started_at":"2026-11-25T17:19:05.208537Z","input_data":{"q":"2+2"}}`, logs[1].Body)
	assert.Equal(t, "", logs[2].EventName)
	assert.Equal(t, "hello", logs[2].Body)
}

// TestIntegrationDamagedCompactRecord: a compact record whose body does not
// decode goes to dead_letters with the reason and a readable copy; the
// request's other records are stored.
func TestIntegrationDamagedCompactRecord(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c, _ := startClient(t, chtest.NativeEndpoint(), db, nil)
	ld := testLogs("success", time.Now(), agora.RecordEncodingCompact)
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.True(t, agora.IsCompactRecord(lrs.At(0)))
	bad := lrs.AppendEmpty()
	lrs.At(0).CopyTo(bad)
	body := bad.Body().Bytes().AsRaw()
	bad.Body().SetEmptyBytes().FromRaw(body[:len(body)-3])
	bad.SetTraceID(pcommon.TraceID(uuid.New())) // another execution's record

	require.NoError(t, c.pushLogs(context.Background(), ld))

	var nodes uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM `"+db+"`.node_executions FINAL").Scan(&nodes))
	assert.Equal(t, uint64(1), nodes, "the good record is stored")
	letters := chtest.Rows[deadLetterRow](t, conn, "SELECT OrgId, TableName, Reason, Record, Block FROM `"+db+"`.dead_letters FINAL")
	require.Len(t, letters, 1)
	assert.Equal(t, "org-1", letters[0].OrgID)
	assert.Equal(t, "node_executions", letters[0].TableName)
	assert.Contains(t, letters[0].Reason, "truncated")
	assert.Contains(t, letters[0].Record, agora.EventNodeExecutionRecord)
}
