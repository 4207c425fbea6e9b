package agora

import (
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Event is POST /telemetry/executions/{id}/events or a batch event.
type Event struct {
	Scope
	ID        uuid.UUID
	EventType string
	Timestamp time.Time
	Data      pcommon.Value
}

// Append writes the event as a log record (agora.event).
func (e *Event) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventAgora, e.Scope, e.Timestamp, e.ID, 3)
	b.PutStr(FieldEventType, e.EventType)
	b.PutStr(FieldTimestamp, formatTime(e.Timestamp))
	putValue(b, FieldData, e.Data)
}

// DecodeEvent reads a record written by Event.Append.
func DecodeEvent(lr plog.LogRecord) (Event, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return Event{}, err
	}
	e := Event{Scope: ScopeOf(lr), EventType: Str(b, FieldEventType), Data: value(b, FieldData)}
	if e.ID, err = itemID(lr); err != nil {
		return e, err
	}
	e.Timestamp, err = getTime(b, FieldTimestamp)
	return e, err
}

// StateSnapshot is a batch's shared_state_snapshots item, kept whole.
type StateSnapshot struct {
	Scope
	ID        uuid.UUID
	Timestamp time.Time
	State     pcommon.Value
}

// Append writes the snapshot as a log record (agora.state.snapshot).
func (s *StateSnapshot) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventStateSnapshot, s.Scope, s.Timestamp, s.ID, 2)
	b.PutStr(FieldTimestamp, formatTime(s.Timestamp))
	putValue(b, FieldState, s.State)
}

// DecodeStateSnapshot reads a record written by StateSnapshot.Append.
func DecodeStateSnapshot(lr plog.LogRecord) (StateSnapshot, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return StateSnapshot{}, err
	}
	s := StateSnapshot{Scope: ScopeOf(lr), State: value(b, FieldState)}
	if s.ID, err = itemID(lr); err != nil {
		return s, err
	}
	s.Timestamp, err = getTime(b, FieldTimestamp)
	return s, err
}
