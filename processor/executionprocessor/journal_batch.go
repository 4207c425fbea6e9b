package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"encoding/binary"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// batch collects one request's journal entries, one per execution.
type batch struct {
	at      time.Time
	entries map[key]*entry
	order   []*entry
	last    *entry // the entry returned last: entries[last.key], as spans come by execution
}

func newBatch(at time.Time) *batch { return &batch{at: at, entries: map[key]*entry{}} }

func (b *batch) entry(k key, kind byte) *entry {
	if en := b.last; en != nil && en.key == k && en.kind == kind {
		return en
	}
	if en, ok := b.entries[k]; ok && en.kind == kind {
		b.last = en
		return en
	}
	en := &entry{key: k, at: b.at, kind: kind}
	if kind == entryRecords {
		en.logs = plog.NewLogs()
	}
	b.entries[k] = en
	b.order = append(b.order, en)
	b.last = en
	return en
}

// meta journals the start of an execution's first emitted version.
func (b *batch) meta(k key, first time.Time) {
	b.order = append(b.order, &entry{key: k, at: b.at, kind: entryMeta, first: first})
	b.last = nil
}

// span journals a span, stripped to what folding reads, under its
// execution: written as the entry's bytes at once. The session and user it
// was folded with (its own or its resource's) are kept on it, as the
// replay reads no resource but the project.
func (b *batch) span(k key, project string, f *spanFacts, span ptrace.Span) {
	en := b.entry(k, entrySpans)
	if en.raw == nil {
		en.raw = en.appendHead(entryBuf())
		en.raw = binary.AppendUvarint(en.raw, uint64(len(project)))
		en.raw = append(en.raw, project...)
	}
	var extra [2]agora.SpanAttr
	n := 0
	// Only a span with a key of the session or user group can have its own.
	attrs := span.Attributes()
	if f.session != "" && (f.keys.Families&agora.FamilySession == 0 || agora.FirstStr(attrs, agora.SessionKeys) == "") {
		extra[n] = agora.SpanAttr{Key: agora.SessionKeys[0], Value: f.session}
		n++
	}
	if f.user != "" && (f.keys.Families&agora.FamilyUser == 0 || agora.FirstStr(attrs, agora.UserKeys) == "") {
		extra[n] = agora.SpanAttr{Key: agora.UserKeys[0], Value: f.user}
		n++
	}
	en.raw = agora.AppendCompactSpan(en.raw, span, &f.keys, extra[:n]...)
}

// record journals a copy of an Agora API record under its execution.
func (b *batch) record(k key, lr plog.LogRecord) {
	lr.CopyTo(b.records(k).AppendEmpty())
}

// report journals a node report, read already, under its execution: in the
// compact encoding, a fraction of the map's size and encoding cost (the
// replay reads either).
func (b *batch) report(k key, n *agora.NodeExecution) {
	n.AppendCompact(b.records(k), agora.EventNodeReported)
}

func (b *batch) records(k key) plog.LogRecordSlice {
	en := b.entry(k, entryRecords)
	rls := en.logs.ResourceLogs()
	if rls.Len() == 0 {
		rls.AppendEmpty().ScopeLogs().AppendEmpty()
	}
	return rls.At(0).ScopeLogs().At(0).LogRecords()
}

// entryBufs are the bytes of written span entries, for the next ones.
var entryBufs = sync.Pool{New: func() any { return new([]byte) }}

func entryBuf() []byte {
	b := *entryBufs.Get().(*[]byte)
	if b == nil {
		return make([]byte, 0, 1024)
	}
	return b[:0]
}

func recycleEntry(b []byte) {
	if cap(b) <= 64<<10 { // one huge span does not stay pinned
		entryBufs.Put(&b)
	}
}
