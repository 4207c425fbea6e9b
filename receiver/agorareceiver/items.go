package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Each decoder reads one item of its kind from o and, when it is valid,
// appends it to out. It returns o's errors: an invalid item adds nothing.

func decodeNode(o *object, s agora.Scope, out *output) (uuid.UUID, error) {
	n := agora.NodeExecution{
		Scope:            s,
		NodeName:         o.str(agora.FieldNodeName, true),
		NodeType:         o.str(agora.FieldNodeType, true),
		Status:           o.status(agora.FieldStatus, agora.NodeStatuses),
		PrepDurationMs:   o.duration(agora.FieldPrepDurationMs),
		ExecDurationMs:   o.duration(agora.FieldExecDurationMs),
		PostDurationMs:   o.duration(agora.FieldPostDurationMs),
		ErrorMessage:     o.str(agora.FieldErrorMessage, false),
		NextAction:       o.str(agora.FieldNextAction, false),
		Input:            o.value(agora.FieldInputData),
		Output:           o.value(agora.FieldOutputData),
		PromptTokens:     o.count(agora.FieldPromptTokens),
		CompletionTokens: o.count(agora.FieldCompletionTokens),
		TotalTokens:      o.count(agora.FieldTotalTokens),
		EstimatedCost:    o.cost(agora.FieldEstimatedCost),
	}
	n.StartedAt, _ = o.timestamp(agora.FieldStartedAt, true)
	if t, ok := o.timestamp(agora.FieldCompletedAt, false); ok {
		n.CompletedAt = &t
	}
	if rc := o.retries(agora.FieldRetryCount); rc != nil {
		n.RetryCount = *rc
	}
	if err := o.err(); err != nil {
		return uuid.Nil, err
	}
	// A node's run is identified by where and when it started: a re-sent
	// report (retry, or running -> success) replaces the earlier one.
	n.ID = agora.NodeExecutionID(s.ExecutionID, n.NodeName, n.StartedAt)
	if s.WorkflowName != "" {
		n.NodeID = agora.NodeID(s.WorkflowID, n.NodeName)
	}
	n.Append(out.lrs, agora.EventNodeReported)
	return n.ID, nil
}

func decodeEvent(o *object, s agora.Scope, out *output) (uuid.UUID, error) {
	e := agora.Event{Scope: s, EventType: o.str(agora.FieldEventType, true), Data: o.objectValue(agora.FieldData)}
	e.Timestamp, _ = o.timestamp(agora.FieldTimestamp, true)
	if err := o.err(); err != nil {
		return uuid.Nil, err
	}
	e.ID = agora.ItemID(s.ExecutionID, "event", string(o.v.MarshalTo(nil)))
	e.Append(out.lrs)
	return e.ID, nil
}

func decodeSnapshot(o *object, s agora.Scope, now time.Time, out *output) (uuid.UUID, error) {
	snap := agora.StateSnapshot{Scope: s, Timestamp: now, State: pcommon.NewValueEmpty()}
	if t, ok := o.timestamp(agora.FieldTimestamp, false); ok {
		snap.Timestamp = t
	}
	if err := o.err(); err != nil {
		return uuid.Nil, err
	}
	// The whole item is the snapshot: its shape is the SDK's to choose.
	setValue(snap.State, o.v, 0)
	snap.ID = agora.ItemID(s.ExecutionID, "snapshot", string(o.v.MarshalTo(nil)))
	snap.Append(out.lrs)
	return snap.ID, nil
}

func decodeSpan(o *object, s agora.Scope, out *output) (uuid.UUID, error) {
	span := ptrace.NewSpan()
	traceID := o.hexID("trace_id", 16, true)
	spanID := o.hexID("span_id", 8, true)
	parentID := o.hexID("parent_span_id", 8, false)
	span.SetName(o.str("name", true))
	if k := o.str("kind", false); k != "" {
		kind, ok := parseSpanKind(k)
		if !ok {
			o.fail("kind", "unknown span kind "+k)
		}
		span.SetKind(kind)
	}
	if st := o.str("status", false); st != "" {
		code, ok := parseSpanStatus(st)
		if !ok {
			o.fail("status", "must be OK, ERROR or UNSET")
		}
		span.Status().SetCode(code)
		span.Status().SetMessage(o.str("status_message", false))
	}
	start, _ := o.timestamp("start_time", true)
	end, hasEnd := o.timestamp("end_time", false)
	duration := o.duration(agora.FieldDurationMs)
	if hasEnd && end.Before(start) {
		o.fail("end_time", "before start_time")
	}
	attrs := o.objectValue("attributes")
	tokens := o.count("tokens_used")
	cost := o.cost("estimated_cost")
	events := o.list("events", false)
	for i, raw := range events {
		ev, err := o.child(o.name("events")+"["+strconv.Itoa(i)+"]", raw)
		if err != nil {
			o.errs = append(o.errs, err.(fieldError))
			continue
		}
		se := span.Events().AppendEmpty()
		se.SetName(ev.str("name", true))
		if t, ok := ev.timestamp("timestamp", false); ok {
			se.SetTimestamp(pcommon.NewTimestampFromTime(t))
		} else {
			se.SetTimestamp(pcommon.NewTimestampFromTime(start))
		}
		if a := ev.objectValue("attributes"); a.Type() == pcommon.ValueTypeMap {
			a.Map().MoveTo(se.Attributes())
		}
		o.errs = append(o.errs, ev.errs...)
	}
	if err := o.err(); err != nil {
		return uuid.Nil, err
	}

	span.SetTraceID(pcommon.TraceID(traceID))
	span.SetSpanID(pcommon.SpanID(spanID))
	if parentID != nil {
		span.SetParentSpanID(pcommon.SpanID(parentID))
	}
	if !hasEnd && duration != nil {
		end = start.Add(time.Duration(*duration * float64(time.Millisecond)))
	} else if !hasEnd {
		end = start
	}
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	if attrs.Type() == pcommon.ValueTypeMap {
		attrs.Map().MoveTo(span.Attributes())
	}
	a := span.Attributes()
	a.PutStr(agora.AttrExecutionID, s.ExecutionID.String())
	if _, ok := a.Get(agora.FieldDurationMs); !ok && duration != nil {
		a.PutDouble(agora.FieldDurationMs, *duration)
	}
	if tokens != nil {
		a.PutInt(agora.AttrTokensUsed, *tokens)
	}
	if cost != nil {
		a.PutDouble(agora.AttrEstimatedCost, *cost)
	}
	span.MoveTo(out.spans.AppendEmpty())
	return agora.ItemID(s.ExecutionID, "span", hex.EncodeToString(traceID), hex.EncodeToString(spanID)), nil
}
