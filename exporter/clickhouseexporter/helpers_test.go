package clickhouseexporter

import (
	"context"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// The span every test of this package writes, and the row it becomes.

var (
	testStart = time.Date(2026, 11, 25, 17, 19, 5, 208537123, time.UTC)
	traceID   = pcommon.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	spanID    = pcommon.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
	parentID  = pcommon.SpanID{0x79, 0x84, 0x99, 0x14, 0xbe, 0x9b, 0xc1, 0xe8}
)

func testTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "demo-app")
	rs.Resource().Attributes().PutStr("agora.project", "demo-project")
	rs.Resource().Attributes().PutStr("agora.org.id", "org-1")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("agora_tracer")
	ss.Scope().SetVersion("1.2.3")
	span := ss.Spans().AppendEmpty()
	span.SetTraceID(traceID)
	span.SetSpanID(spanID)
	span.SetParentSpanID(parentID)
	span.TraceState().FromRaw("vendor=x")
	span.SetName("Think.exec")
	span.SetKind(ptrace.SpanKindInternal)
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(testStart))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(testStart.Add(70 * time.Millisecond)))
	span.Attributes().PutStr("agora.node", "Think")
	span.Attributes().PutInt("retry_count", 1)
	span.Attributes().PutDouble("duration_ms", 70.5)
	span.Attributes().PutBool("cached", true)
	span.Attributes().PutEmptySlice("tags").AppendEmpty().SetStr("a")
	span.Status().SetCode(ptrace.StatusCodeError)
	span.Status().SetMessage("boom")
	ev := span.Events().AppendEmpty()
	ev.SetName("exception")
	ev.SetTimestamp(pcommon.NewTimestampFromTime(testStart.Add(time.Millisecond)))
	ev.Attributes().PutStr("exception.message", "boom")
	link := span.Links().AppendEmpty()
	link.SetTraceID(traceID)
	link.SetSpanID(parentID)
	link.Attributes().PutStr("why", "follows")
	return td
}

func expectedRow() agora.SpanRow {
	return agora.SpanRow{
		OrgID:              "org-1",
		ExecutionID:        uuid.MustParse("4bf92f35-77b3-4da6-a3ce-929d0e0e4736"), // the trace id as a UUID
		StartTime:          testStart,
		TraceID:            "4bf92f3577b34da6a3ce929d0e0e4736",
		SpanID:             "00f067aa0ba902b7",
		ParentSpanID:       "79849914be9bc1e8",
		TraceState:         "vendor=x",
		Name:               "Think.exec",
		Kind:               "Internal",
		ServiceName:        "demo-app",
		ResourceAttributes: map[string]string{"service.name": "demo-app", "agora.project": "demo-project"}, // no org: OrgId holds it
		ScopeName:          "agora_tracer",
		ScopeVersion:       "1.2.3",
		Attributes: map[string]string{
			"agora.node": "Think", "retry_count": "1", "duration_ms": "70.5", "cached": "true", "tags": `["a"]`,
		},
		DurationNs:      uint64(70 * time.Millisecond),
		Status:          "Error",
		StatusMessage:   "boom",
		EventTimes:      []time.Time{testStart.Add(time.Millisecond)},
		EventNames:      []string{"exception"},
		EventAttributes: []map[string]string{{"exception.message": "boom"}},
		LinkTraceIDs:    []string{"4bf92f3577b34da6a3ce929d0e0e4736"},
		LinkSpanIDs:     []string{"79849914be9bc1e8"},
		LinkTraceStates: []string{""},
		LinkAttributes:  []map[string]string{{"why": "follows"}},
	}
}

// pushTraces converts and writes spans, as a request that skipped the queue (tests).
func (c *client) pushTraces(ctx context.Context, td ptrace.Traces) error {
	return c.pushSpans(ctx, c.spanConverter().convert(td))
}

// pushLogs converts and writes log records, as a request that skipped the
// queue (tests).
func (c *client) pushLogs(ctx context.Context, ld plog.Logs) error {
	return c.pushLogRows(ctx, convertLogs(ld))
}
