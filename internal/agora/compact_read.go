package agora

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agora-otelcol/agora-otelcol/internal/wire"
)

// Reading the compact form (compact.go has its layout): every read is
// bounded by the body, and a fault is an error, never a panic.

// reader reads a compact body (wire.Reader: every read bounded, the first
// fault sticks, so decoders check once at the end).
type reader struct {
	wire.Reader
	// lean skips input and output values (value returns emptyValue): a
	// reader that only counts (DecodeNodeSummary) has no use for them, and
	// building them is most of a decode's allocations.
	lean bool
}

// emptyValue is the input and output of a lean decode: empty and read-only
// (writing to it panics), so sharing one is safe.
var emptyValue = func() pcommon.Value {
	ld := plog.NewLogs()
	v := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body()
	ld.MarkReadOnly()
	return v
}()

// compactReader and compactBody return a value, not a pointer: a decoder
// keeps its reader on the stack (one allocation less per record).
func compactReader(lr plog.LogRecord, kind byte) (reader, error) {
	return compactBody(lr.Body().Bytes().AsRaw(), kind)
}

func compactBody(b []byte, kind byte) (reader, error) {
	if len(b) < 2 || b[0] != compactVersion || b[1] != kind {
		return reader{}, fmt.Errorf("compact record: not a version %d %q body", compactVersion, kind)
	}
	return reader{Reader: wire.NewReader(b[2:])}, nil
}

// compactErr names the layout in a reader's fault.
func compactErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("compact record: %w", err)
}

// str shares the body's bytes: a log record's body is the reader's own
// copy (AsRaw), never written after; a caller of DecodeCompact* keeps its
// body unchanged while it uses the record (the exporter: until the insert
// that reads it is sent).
func (r *reader) str() string {
	b := r.Bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func (r *reader) strs() []string {
	n := r.Count()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for range n {
		out = append(out, r.str())
	}
	return out
}

func (r *reader) uuid() (id uuid.UUID) {
	copy(id[:], r.Take(16))
	return id
}

func (r *reader) time() time.Time {
	sec, nsec := r.Varint(), r.Uvarint()
	if nsec >= 1e9 {
		r.Fail(errors.New("nanoseconds out of range"))
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (r *reader) float() float64 {
	if b := r.Take(8); b != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// optTime, optFloat and optInt read an optional field into *into and
// return into, or nil when the field is absent.
func (r *reader) optTime(present bool, into *time.Time) *time.Time {
	if !present {
		return nil
	}
	*into = r.time()
	return into
}

func (r *reader) optFloat(present bool, into *float64) *float64 {
	if !present {
		return nil
	}
	*into = r.float()
	return into
}

func (r *reader) optInt(present bool, into *int64) *int64 {
	if !present {
		return nil
	}
	*into = r.Varint()
	return into
}

// nodeOptionals holds a decoded node record's optional fields.
type nodeOptionals struct {
	completedAt               time.Time
	prep, exec, post, cost    float64
	prompt, completion, total int64
}

func (r *reader) scope(s *Scope) {
	s.ProjectID = r.uuid()
	s.ProjectName = r.str()
	s.WorkflowID = r.uuid()
	s.WorkflowName = r.str()
}

func (r *reader) value(depth int) pcommon.Value {
	if r.lean {
		r.skipValue(depth)
		return emptyValue
	}
	v := pcommon.NewValueEmpty()
	r.valueInto(v, depth)
	return v
}

// valueTag reads a value's tag, failing the read when the value nests too
// deep or the tag is not one of the layout's.
func (r *reader) valueTag(depth int) (byte, bool) {
	if depth > maxValueDepth {
		r.Fail(errors.New("value nested too deep"))
		return 0, false
	}
	tag := r.Take(1)
	if tag == nil {
		return 0, false
	}
	if tag[0] > tagSlice {
		r.Fail(fmt.Errorf("unknown value tag %d", tag[0]))
		return 0, false
	}
	return tag[0], true
}

func (r *reader) valueInto(v pcommon.Value, depth int) {
	tag, ok := r.valueTag(depth)
	if !ok {
		return
	}
	switch tag {
	case tagEmpty:
	case tagStr:
		v.SetStr(r.str())
	case tagInt:
		v.SetInt(r.Varint())
	case tagDouble:
		v.SetDouble(r.float())
	case tagBool:
		if b := r.Take(1); b != nil {
			v.SetBool(b[0] != 0)
		}
	case tagBytes:
		v.SetEmptyBytes().FromRaw(r.Take(r.Count()))
	case tagMap:
		n := r.Count()
		m := v.SetEmptyMap()
		m.EnsureCapacity(n)
		for range n {
			k := r.str()
			r.valueInto(m.PutEmpty(k), depth+1)
		}
	case tagSlice:
		n := r.Count()
		s := v.SetEmptySlice()
		s.EnsureCapacity(n)
		for range n {
			r.valueInto(s.AppendEmpty(), depth+1)
		}
	}
}

// skipValue reads past a value, with valueInto's checks, building nothing.
func (r *reader) skipValue(depth int) {
	tag, ok := r.valueTag(depth)
	if !ok {
		return
	}
	switch tag {
	case tagEmpty:
	case tagStr:
		r.Bytes()
	case tagInt:
		r.Varint()
	case tagDouble:
		r.Take(8)
	case tagBool:
		r.Take(1)
	case tagBytes:
		r.Take(r.Count())
	case tagMap:
		for n := r.Count(); n > 0 && r.Err() == nil; n-- {
			r.Bytes()
			r.skipValue(depth + 1)
		}
	case tagSlice:
		for n := r.Count(); n > 0 && r.Err() == nil; n-- {
			r.skipValue(depth + 1)
		}
	}
}

// done is the decoder's error: a fault, or bytes left over.
func (r *reader) done() error { return compactErr(r.Done()) }

func decodeCompactExecution(lr plog.LogRecord, lean bool) (Execution, error) {
	return decodeCompactExecutionBody(uuid.UUID(lr.TraceID()), lr.Body().Bytes().AsRaw(), lean)
}

// DecodeCompactExecution reads an execution record's compact body; the
// record carries the execution id as its trace id. The strings it returns
// share body's bytes: body must not change while they are in use.
func DecodeCompactExecution(exec uuid.UUID, body []byte) (Execution, error) {
	return decodeCompactExecutionBody(exec, body, false)
}

func decodeCompactExecutionBody(exec uuid.UUID, body []byte, lean bool) (Execution, error) {
	r, err := compactBody(body, compactExecution)
	if err != nil {
		return Execution{}, err
	}
	r.lean = lean
	e := Execution{Scope: Scope{ExecutionID: exec}}
	r.scope(&e.Scope)
	e.Status = Status(r.str())
	e.StartedAt = r.time()
	flags := r.Uvarint()
	o := new(struct {
		completedAt time.Time
		duration    float64
	})
	e.CompletedAt = r.optTime(flags&hasCompletedAt != 0, &o.completedAt)
	e.DurationMs = r.optFloat(flags&hasDuration != 0, &o.duration)
	e.ErrorMessage = r.str()
	e.Input, e.Output = r.value(0), r.value(0)
	for _, p := range []*int64{&e.NodeCount, &e.ErrorCount, &e.RetryCount, &e.PromptTokens, &e.CompletionTokens, &e.TotalTokens} {
		*p = r.Varint()
	}
	e.EstimatedCost = r.float()
	e.LastSeen = r.time()
	e.Source = r.str()
	e.TraceIDs = r.strs()
	e.SessionID, e.UserID = r.str(), r.str()
	e.Models = r.strs()
	e.Truncated, e.Deleted = flags&flagTruncated != 0, flags&flagDeleted != 0
	e.bound()
	return e, r.done()
}

// bound applies the map form's bounds (any sender can make a compact body
// too): a value out of them is dropped, as when the map form is read.
func (e *Execution) bound() {
	e.DurationMs = boundFloat(e.DurationMs, DurationOK)
	for _, p := range []*int64{&e.NodeCount, &e.ErrorCount, &e.RetryCount, &e.PromptTokens, &e.CompletionTokens, &e.TotalTokens} {
		*p = max(*p, 0) // sums of bounded counts
	}
	if !(e.EstimatedCost >= 0) || math.IsInf(e.EstimatedCost, 0) {
		e.EstimatedCost = 0
	}
}

func (n *NodeExecution) bound() {
	n.PrepDurationMs = boundFloat(n.PrepDurationMs, DurationOK)
	n.ExecDurationMs = boundFloat(n.ExecDurationMs, DurationOK)
	n.PostDurationMs = boundFloat(n.PostDurationMs, DurationOK)
	n.EstimatedCost = boundFloat(n.EstimatedCost, CostOK)
	n.PromptTokens = boundCount(n.PromptTokens)
	n.CompletionTokens = boundCount(n.CompletionTokens)
	n.TotalTokens = boundCount(n.TotalTokens)
	if !RetriesOK(float64(n.RetryCount)) {
		n.RetryCount = 0
	}
}

func boundFloat(f *float64, ok func(float64) bool) *float64 {
	if f != nil && !ok(*f) {
		return nil
	}
	return f
}

func boundCount(i *int64) *int64 {
	if i != nil && !CountOK(float64(*i)) {
		return nil
	}
	return i
}

func decodeCompactNode(lr plog.LogRecord, lean bool) (NodeExecution, error) {
	return decodeCompactNodeBody(uuid.UUID(lr.TraceID()), lr.Body().Bytes().AsRaw(), lean)
}

// DecodeCompactNodeExecution reads a node-execution record's compact body;
// the record carries the execution id as its trace id. The strings it
// returns share body's bytes: body must not change while they are in use.
func DecodeCompactNodeExecution(exec uuid.UUID, body []byte) (NodeExecution, error) {
	return decodeCompactNodeBody(exec, body, false)
}

func decodeCompactNodeBody(exec uuid.UUID, body []byte, lean bool) (NodeExecution, error) {
	r, err := compactBody(body, compactNode)
	if err != nil {
		return NodeExecution{}, err
	}
	r.lean = lean
	n := NodeExecution{Scope: Scope{ExecutionID: exec}}
	r.scope(&n.Scope)
	n.ID, n.NodeID = r.uuid(), r.uuid()
	n.NodeName, n.NodeType, n.Status = r.str(), r.str(), Status(r.str())
	n.StartedAt = r.time()
	flags := r.Uvarint()
	// The optional fields point into one allocation, not one each.
	o := new(nodeOptionals)
	n.CompletedAt = r.optTime(flags&hasCompletedAt != 0, &o.completedAt)
	n.PrepDurationMs = r.optFloat(flags&hasPrep != 0, &o.prep)
	n.ExecDurationMs = r.optFloat(flags&hasExec != 0, &o.exec)
	n.PostDurationMs = r.optFloat(flags&hasPost != 0, &o.post)
	n.ErrorMessage = r.str()
	n.RetryCount = r.Varint()
	n.NextAction = r.str()
	n.Input, n.Output = r.value(0), r.value(0)
	n.PromptTokens = r.optInt(flags&hasPrompt != 0, &o.prompt)
	n.CompletionTokens = r.optInt(flags&hasCompletion != 0, &o.completion)
	n.TotalTokens = r.optInt(flags&hasTotal != 0, &o.total)
	n.EstimatedCost = r.optFloat(flags&hasCost != 0, &o.cost)
	n.Model, n.Provider = r.str(), r.str()
	n.Deleted = flags&flagDeleted != 0
	n.bound()
	return n, r.done()
}

// IsCompactRecord reports whether lr is an execution or node-execution
// record whose body is in the compact encoding (by its head; the rest is
// checked when it is decoded).
func IsCompactRecord(lr plog.LogRecord) bool {
	var kind byte
	switch lr.EventName() {
	case EventExecutionRecord:
		kind = compactExecution
	case EventNodeExecutionRecord:
		kind = compactNode
	default:
		return false
	}
	if lr.Body().Type() != pcommon.ValueTypeBytes {
		return false
	}
	b := lr.Body().Bytes() // its first bytes, not a copy of it
	return b.Len() >= 2 && b.At(0) == compactVersion && b.At(1) == kind
}
