package agora

import (
	"encoding/binary"
	"math"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// The compact form of the processor's records (agora.execution,
// agora.node_execution): the same fields as the map body, in a fixed order,
// as one bytes body. The map form costs about 25 pdata values each way
// (build, queue encode and decode, read by the exporter and the connector);
// this one costs one. The decoders read both forms, by body type.
//
// Layout (little endian; "str" is a uvarint length and UTF-8 bytes; "time"
// is a zigzag-varint Unix second and a uvarint nanosecond; "value" is a
// tagged pcommon.Value, see appendValue):
//
//	version (1) · kind ('E' | 'N') · project id (16) · project name (str) ·
//	workflow id (16) · workflow name (str) · the kind's fields, below.
const (
	compactVersion   byte = 1
	compactExecution byte = 'E'
	compactNode      byte = 'N'
	// maxValueDepth bounds nesting in a value: deeper levels are written as
	// empty, and a body that claims more is refused, not followed.
	maxValueDepth = 64
)

// RecordEncoding is how the processor's records carry their fields.
type RecordEncoding string

const (
	// RecordEncodingCompact is one bytes body: for the ClickHouse exporter
	// and the agorametrics connector (both read either form).
	RecordEncodingCompact RecordEncoding = "compact"
	// RecordEncodingMap is the map body named by the wire's fields: readable
	// by any OTLP backend.
	RecordEncodingMap RecordEncoding = "map"
)

// Presence bits of the optional fields and flags.
const (
	hasCompletedAt = 1 << iota
	hasDuration
	hasPrep
	hasExec
	hasPost
	hasPrompt
	hasCompletion
	hasTotal
	hasCost
	flagTruncated
	flagDeleted
)

// AppendRecord writes the execution record (agora.execution) in enc.
func (e *Execution) AppendRecord(lrs plog.LogRecordSlice, enc RecordEncoding) plog.LogRecord {
	if enc == RecordEncodingMap {
		return e.Append(lrs)
	}
	flags := bit(e.CompletedAt != nil, hasCompletedAt) | bit(e.DurationMs != nil, hasDuration) |
		bit(e.Truncated, flagTruncated) | bit(e.Deleted, flagDeleted)
	buf := scratch.Get().(*[]byte)
	defer release(buf)
	b := compactHead((*buf)[:0], compactExecution, e.Scope)
	b = appendStr(b, string(e.Status))
	b = appendTime(b, e.StartedAt)
	b = binary.AppendUvarint(b, flags)
	if e.CompletedAt != nil {
		b = appendTime(b, *e.CompletedAt)
	}
	if e.DurationMs != nil {
		b = appendFloat(b, *e.DurationMs)
	}
	b = appendStr(b, e.ErrorMessage)
	b = appendValue(b, e.Input, 0)
	b = appendValue(b, e.Output, 0)
	for _, n := range []int64{e.NodeCount, e.ErrorCount, e.RetryCount, e.PromptTokens, e.CompletionTokens, e.TotalTokens} {
		b = binary.AppendVarint(b, n)
	}
	b = appendFloat(b, e.EstimatedCost)
	b = appendTime(b, e.LastSeen)
	b = appendStr(b, e.Source)
	b = appendStrs(b, e.TraceIDs)
	b = appendStr(b, e.SessionID)
	b = appendStr(b, e.UserID)
	b = appendStrs(b, e.Models)
	*buf = b
	return compactRecord(lrs, EventExecutionRecord, e.ExecutionID, e.StartedAt, b)
}

// AppendRecord writes the node-execution record (agora.node_execution) in enc.
func (n *NodeExecution) AppendRecord(lrs plog.LogRecordSlice, enc RecordEncoding) plog.LogRecord {
	if enc == RecordEncodingMap {
		return n.Append(lrs, EventNodeExecutionRecord)
	}
	return n.AppendCompact(lrs, EventNodeExecutionRecord)
}

// AppendCompact writes the node execution under event (a record, or a
// report the processor journals) in the compact encoding.
func (n *NodeExecution) AppendCompact(lrs plog.LogRecordSlice, event string) plog.LogRecord {
	flags := bit(n.CompletedAt != nil, hasCompletedAt) | bit(n.PrepDurationMs != nil, hasPrep) |
		bit(n.ExecDurationMs != nil, hasExec) | bit(n.PostDurationMs != nil, hasPost) |
		bit(n.PromptTokens != nil, hasPrompt) | bit(n.CompletionTokens != nil, hasCompletion) |
		bit(n.TotalTokens != nil, hasTotal) | bit(n.EstimatedCost != nil, hasCost) | bit(n.Deleted, flagDeleted)
	buf := scratch.Get().(*[]byte)
	defer release(buf)
	b := compactHead((*buf)[:0], compactNode, n.Scope)
	b = append(b, n.ID[:]...)
	b = append(b, n.NodeID[:]...)
	b = appendStr(b, n.NodeName)
	b = appendStr(b, n.NodeType)
	b = appendStr(b, string(n.Status))
	b = appendTime(b, n.StartedAt)
	b = binary.AppendUvarint(b, flags)
	if n.CompletedAt != nil {
		b = appendTime(b, *n.CompletedAt)
	}
	for _, f := range []*float64{n.PrepDurationMs, n.ExecDurationMs, n.PostDurationMs} {
		if f != nil {
			b = appendFloat(b, *f)
		}
	}
	b = appendStr(b, n.ErrorMessage)
	b = binary.AppendVarint(b, n.RetryCount)
	b = appendStr(b, n.NextAction)
	b = appendValue(b, n.Input, 0)
	b = appendValue(b, n.Output, 0)
	for _, i := range []*int64{n.PromptTokens, n.CompletionTokens, n.TotalTokens} {
		if i != nil {
			b = binary.AppendVarint(b, *i)
		}
	}
	if n.EstimatedCost != nil {
		b = appendFloat(b, *n.EstimatedCost)
	}
	b = appendStr(b, n.Model)
	b = appendStr(b, n.Provider)
	*buf = b
	return compactRecord(lrs, event, n.ExecutionID, n.StartedAt, b)
}

// NodeRecordID is the node execution id of an agora.node_execution record
// in either form.
func NodeRecordID(lr plog.LogRecord) (uuid.UUID, error) {
	if lr.Body().Type() != pcommon.ValueTypeBytes {
		return itemID(lr)
	}
	r, err := compactReader(lr, compactNode)
	if err != nil {
		return uuid.Nil, err
	}
	r.scope(&Scope{})
	return r.uuid(), compactErr(r.Err())
}

func bit(set bool, b uint64) uint64 {
	if set {
		return b
	}
	return 0
}

// compactHead starts a body with the scope; an id without its name is not
// written, as in the map form.
func compactHead(b []byte, kind byte, s Scope) []byte {
	if s.ProjectName == "" {
		s.ProjectID = uuid.Nil
	}
	if s.WorkflowName == "" {
		s.WorkflowID = uuid.Nil
	}
	b = append(b, compactVersion, kind)
	b = append(b, s.ProjectID[:]...)
	b = appendStr(b, s.ProjectName)
	b = append(b, s.WorkflowID[:]...)
	return appendStr(b, s.WorkflowName)
}

func compactRecord(lrs plog.LogRecordSlice, event string, exec uuid.UUID, at time.Time, body []byte) plog.LogRecord {
	lr := lrs.AppendEmpty()
	lr.SetEventName(event)
	lr.SetTraceID(pcommon.TraceID(exec))
	lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	bs := lr.Body().SetEmptyBytes()
	bs.EnsureCapacity(len(body))
	bs.Append(body...)
	return lr
}

// scratch holds encode buffers: a record's body is copied into its own
// slice once complete, so the buffer's growth is paid once.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// release returns a buffer to scratch unless one large value grew it.
func release(buf *[]byte) {
	if cap(*buf) <= 64<<10 {
		scratch.Put(buf)
	}
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrs(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendStr(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// Value tags.
const (
	tagEmpty byte = iota
	tagStr
	tagInt
	tagDouble
	tagBool
	tagBytes
	tagMap
	tagSlice
)

// appendValue writes v as a tag and its payload; maps and slices nest.
func appendValue(b []byte, v pcommon.Value, depth int) []byte {
	if !Present(v) || depth >= maxValueDepth {
		return append(b, tagEmpty)
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return appendStr(append(b, tagStr), v.Str())
	case pcommon.ValueTypeInt:
		return binary.AppendVarint(append(b, tagInt), v.Int())
	case pcommon.ValueTypeDouble:
		return appendFloat(append(b, tagDouble), v.Double())
	case pcommon.ValueTypeBool:
		if v.Bool() {
			return append(b, tagBool, 1)
		}
		return append(b, tagBool, 0)
	case pcommon.ValueTypeBytes:
		return appendStr(append(b, tagBytes), string(v.Bytes().AsRaw()))
	case pcommon.ValueTypeMap:
		b = binary.AppendUvarint(append(b, tagMap), uint64(v.Map().Len()))
		for k, x := range v.Map().All() {
			b = appendValue(appendStr(b, k), x, depth+1)
		}
		return b
	case pcommon.ValueTypeSlice:
		b = binary.AppendUvarint(append(b, tagSlice), uint64(v.Slice().Len()))
		for _, x := range v.Slice().All() {
			b = appendValue(b, x, depth+1)
		}
		return b
	}
	return append(b, tagEmpty)
}
