package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// The journal keeps, in a storage extension, the inputs of every execution
// the state holds: for each request, the Agora API records and the spans
// (stripped to what folding reads) of each execution it touched. It is
// written before the request is acknowledged, so the state is always the fold
// of the journal: after a crash the state is rebuilt by replaying it, an
// execution pushed out of memory is rebuilt from its entries when telemetry
// for it arrives, and retiring an execution deletes its entries.

const journalPrefix = "j/"

func journalKey(seq uint64) string {
	var n [8]byte
	var b [len(journalPrefix) + 16]byte
	binary.BigEndian.PutUint64(n[:], seq)
	copy(b[:], journalPrefix)
	hex.Encode(b[len(journalPrefix):], n[:]) // %016x: sorted as the numbers are
	return string(b[:])
}

// Entry kinds.
const (
	// entrySpans: the project, then compact spans (agora.AppendCompactSpan).
	entrySpans byte = 'S'
	// entryPdataSpans: stripped spans as OTLP protobuf, which versions
	// before the compact spans wrote; still replayed.
	entryPdataSpans byte = 'T'
	entryRecords    byte = 'L'
	entryMeta       byte = 'M' // the start date of the first emitted version
)

const entryVersion byte = 1

// entry is the inputs of one execution from one request.
type entry struct {
	key    key
	at     time.Time // when they were folded: replay keeps the timings
	kind   byte
	traces ptrace.Traces // decoded spans (replay)
	raw    []byte        // written spans: the whole stored entry (batch.span)
	logs   plog.Logs
	first  time.Time
}

type journal struct {
	client storage.Client
	walker storage.Walker

	mu    sync.Mutex
	next  uint64
	drops []uint64 // entries of retired executions, deleted by sync

	// Group commit: writes of concurrent requests share one storage
	// transaction; a transaction's fixed cost dominates small writes.
	groupMu    sync.Mutex
	waiting    []*groupWrite
	committing bool
}

// groupWrite is one request's operations, waiting for their transaction.
type groupWrite struct {
	ops  []*storage.Operation
	done chan error
}

var (
	tracesMarshaler   = &ptrace.ProtoMarshaler{}
	tracesUnmarshaler = &ptrace.ProtoUnmarshaler{}
	logsMarshaler     = &plog.ProtoMarshaler{}
	logsUnmarshaler   = &plog.ProtoUnmarshaler{}
)

func openJournal(ctx context.Context, host component.Host, id, self component.ID) (*journal, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("storage %q: no such extension", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage %q is not a storage extension", id)
	}
	client, err := se.GetClient(ctx, component.KindProcessor, self, "")
	if err != nil {
		return nil, fmt.Errorf("storage %q: %w", id, err)
	}
	walker, ok := client.(storage.Walker)
	if !ok {
		_ = client.Close(ctx)
		return nil, fmt.Errorf("storage %q cannot list its entries (it does not implement Walk); use wal_storage or file_storage", id)
	}
	return &journal{client: client, walker: walker}, nil
}

// reserve hands out n sequence numbers.
func (j *journal) reserve(n int) uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	first := j.next
	j.next += uint64(n)
	return first
}

// write stores entries under consecutive sequence numbers from first.
func (j *journal) write(ctx context.Context, first uint64, entries []*entry) error {
	ops := make([]*storage.Operation, 0, len(entries))
	for i, e := range entries {
		b, err := e.marshal()
		if err != nil {
			return err
		}
		ops = append(ops, storage.SetOperation(journalKey(first+uint64(i)), b))
	}
	err := j.commitGroup(ctx, ops)
	// The storage has copied the values once the write returns.
	for _, e := range entries {
		if e.raw != nil {
			recycleEntry(e.raw)
			e.raw = nil
		}
	}
	return err
}

// commitGroup writes ops in the next transaction and returns its result.
// The first writer to find no transaction running commits, for itself and
// for everyone who queued meanwhile, until no one waits.
func (j *journal) commitGroup(ctx context.Context, ops []*storage.Operation) error {
	w := &groupWrite{ops: ops, done: make(chan error, 1)}
	j.groupMu.Lock()
	j.waiting = append(j.waiting, w)
	lead := !j.committing
	j.committing = true
	j.groupMu.Unlock()
	if lead {
		// The transaction is everyone's: the leader's cancellation must
		// not fail the others' writes.
		ctx = context.WithoutCancel(ctx)
		for {
			j.groupMu.Lock()
			group := j.waiting
			j.waiting = nil
			if len(group) == 0 {
				j.committing = false
				j.groupMu.Unlock()
				break
			}
			j.groupMu.Unlock()
			all := group[0].ops
			if len(group) > 1 {
				all = nil
				for _, g := range group {
					all = append(all, g.ops...)
				}
			}
			err := j.client.Batch(ctx, all...)
			for _, g := range group {
				g.done <- err
			}
		}
	}
	return <-w.done
}

// drop schedules a retired execution's entries for deletion.
func (j *journal) drop(seqs []uint64) {
	j.mu.Lock()
	j.drops = append(j.drops, seqs...)
	j.mu.Unlock()
}

// sync deletes the entries of retired executions.
func (j *journal) sync(ctx context.Context) error {
	j.mu.Lock()
	drops := j.drops
	j.drops = nil
	j.mu.Unlock()
	if len(drops) == 0 {
		return nil
	}
	ops := make([]*storage.Operation, len(drops))
	for i, seq := range drops {
		ops[i] = storage.DeleteOperation(journalKey(seq))
	}
	if err := j.client.Batch(ctx, ops...); err != nil {
		j.drop(drops) // again at the next sync
		return err
	}
	return nil
}

// restore reads every entry and hands them to apply in the order they were
// written. An entry that does not decode is deleted, not fatal.
func (j *journal) restore(ctx context.Context, apply func(seq uint64, e *entry)) (int, error) {
	type stored struct {
		seq uint64
		val []byte
	}
	var all []stored
	err := j.walker.Walk(ctx, func(k string, v []byte) ([]*storage.Operation, error) {
		seq, err := strconv.ParseUint(strings.TrimPrefix(k, journalPrefix), 16, 64)
		if !strings.HasPrefix(k, journalPrefix) || err != nil {
			return []*storage.Operation{storage.DeleteOperation(k)}, nil
		}
		all = append(all, stored{seq, slices.Clone(v)})
		return nil, nil
	})
	if err != nil {
		return 0, err
	}
	slices.SortFunc(all, func(a, b stored) int { return compare(a.seq, b.seq) })
	for _, s := range all {
		e, err := unmarshalEntry(s.val)
		if err != nil {
			j.drop([]uint64{s.seq})
			continue
		}
		apply(s.seq, e)
		j.next = s.seq + 1
	}
	return len(all), nil
}

func compare(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rebuild replays a spilled execution's entries into a new execution.
func (j *journal) rebuild(cfg *Config, k key, orgName string, seqs []uint64) *execution {
	e := newExecution(k, orgName)
	e.journal = seqs
	for _, seq := range seqs {
		b, err := j.client.Get(context.Background(), journalKey(seq))
		if err != nil || b == nil {
			continue
		}
		if en, err := unmarshalEntry(b); err == nil {
			en.replay(e, cfg)
		}
	}
	return e
}

// replay folds the entry's inputs into e, whatever execution they were
// journaled under (a trace merged into the execution its flow named).
func (en *entry) replay(e *execution, cfg *Config) {
	switch en.kind {
	case entryMeta:
		e.firstStart, e.startJournaled = en.first, true
	case entryRecords:
		for _, rl := range en.logs.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					e.touch("", fromAPI, en.at)
					e.foldRecord(lr, cfg)
				}
			}
		}
	case entryPdataSpans:
		var f spanFacts
		for _, rs := range en.traces.ResourceSpans().All() {
			project := agora.Str(rs.Resource().Attributes(), agora.ResourceProject)
			for _, ss := range rs.ScopeSpans().All() {
				for _, span := range ss.Spans().All() {
					interpret(&f, span, cfg.Prices)
					e.touch("", f.sourceBit(), en.at)
					e.foldSpan(e.key.org, project, &f, cfg)
				}
			}
		}
	}
}

// appendHead writes what every entry begins with.
func (en *entry) appendHead(b []byte) []byte {
	b = append(b, entryVersion, en.kind)
	b = binary.BigEndian.AppendUint64(b, uint64(en.at.UnixNano()))
	b = append(b, en.key.exec[:]...)
	b = binary.AppendUvarint(b, uint64(len(en.key.org)))
	return append(b, en.key.org...)
}

func (en *entry) marshal() ([]byte, error) {
	if en.kind == entrySpans {
		return en.raw, nil
	}
	head := en.appendHead(make([]byte, 0, 64))
	switch en.kind {
	case entryPdataSpans:
		body, err := tracesMarshaler.MarshalTraces(en.traces)
		return append(head, body...), err
	case entryRecords:
		body, err := logsMarshaler.MarshalLogs(en.logs)
		return append(head, body...), err
	default:
		return binary.BigEndian.AppendUint64(head, uint64(en.first.UnixNano())), nil
	}
}

var errBadEntry = errors.New("journal entry does not decode")

// compactSpans decodes an entrySpans body: the project, then the spans.
// The spans share body's bytes (restore and rebuild read fresh copies).
func compactSpans(body []byte) (ptrace.Traces, error) {
	td := ptrace.NewTraces()
	n, w := binary.Uvarint(body)
	if w <= 0 || uint64(len(body)-w) < n {
		return td, errBadEntry
	}
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(agora.ResourceProject, string(body[w:w+int(n)]))
	return td, agora.ReadCompactSpans(body[w+int(n):], rs.ScopeSpans().AppendEmpty().Spans())
}

func unmarshalEntry(b []byte) (*entry, error) {
	if len(b) < 2+8+16+1 || b[0] != entryVersion {
		return nil, errBadEntry
	}
	en := &entry{kind: b[1], at: time.Unix(0, int64(binary.BigEndian.Uint64(b[2:10]))).UTC()}
	copy(en.key.exec[:], b[10:26])
	n, w := binary.Uvarint(b[26:])
	if w <= 0 || uint64(len(b)-26-w) < n {
		return nil, errBadEntry
	}
	en.key.org = string(b[26+w : 26+w+int(n)])
	body := b[26+w+int(n):]
	var err error
	switch en.kind {
	case entrySpans:
		en.traces, err = compactSpans(body)
		en.kind = entryPdataSpans // decoded: replayed as such
	case entryPdataSpans:
		en.traces, err = tracesUnmarshaler.UnmarshalTraces(body)
	case entryRecords:
		en.logs, err = logsUnmarshaler.UnmarshalLogs(body)
	case entryMeta:
		if len(body) != 8 {
			return nil, errBadEntry
		}
		en.first = time.Unix(0, int64(binary.BigEndian.Uint64(body))).UTC()
	default:
		return nil, errBadEntry
	}
	return en, err
}

// Close closes the storage client.
func (j *journal) Close(ctx context.Context) error { return j.client.Close(ctx) }

// errJournal wraps a failed journal write: the request is not acknowledged.
type errJournal struct{ err error }

func (e errJournal) Error() string { return "execution state not stored: " + e.err.Error() }
func (e errJournal) Unwrap() error { return e.err }
