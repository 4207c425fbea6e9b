package walstorageextension // import "github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

var errClosed = errors.New("storage client is closed")

// log is one client: an in-memory index over append-only segments. Deleted
// and overwritten records are garbage until their segment is deleted;
// segments go oldest first, so a deletion record never outlives an older
// copy of its key (which would come back at the next open).
type log struct {
	dir     string
	maxSize int64
	fsync   bool
	logger  *zap.Logger
	lock    *os.File
	onClose func()

	mu        sync.Mutex
	closed    bool
	index     index
	segments  []*segment // oldest first; the last takes the writes
	liveBytes int64
	diskBytes int64
	buf       []byte
	pending   []pending
}

// pending is a record of the batch being written.
type pending struct {
	key  string
	off  int64 // in buf
	size int64
	vlen int
	del  bool
}

var (
	_ storage.Client = (*log)(nil)
	_ storage.Walker = (*log)(nil)
)

func openLog(dir string, maxSize int64, fsync bool, logger *zap.Logger) (*log, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		// Most likely file_storage's database under the same name: never
		// strand what it holds by starting beside it.
		return nil, fmt.Errorf("%s is a file, not a wal_storage directory (a file_storage database? drain it with the configuration that wrote it, or move it away)", dir)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("%s is in use by another process: %w", dir, err)
	}
	l := &log{dir: dir, maxSize: maxSize, fsync: fsync, logger: logger, lock: lock, index: newIndex()}
	if err := l.load(); err != nil {
		l.closeFiles()
		return nil, err
	}
	return l, nil
}

// apply points the index at a batch's records, written at base in s.
func (l *log) apply(s *segment, base int64, batch []pending) {
	for _, p := range batch {
		if old, ok := l.index.get(p.key); ok {
			l.segment(old.seg).live--
			l.liveBytes -= old.size
		}
		if p.del {
			l.index.del(p.key)
			continue
		}
		l.index.set(p.key, loc{seg: s.id, off: base + p.off + headerSize + int64(len(p.key)), size: p.size, vlen: p.vlen})
		s.live++
		l.liveBytes += p.size
	}
}

// Batch runs ops in order: one write for all the sets and deletes.
func (l *log) Batch(_ context.Context, ops ...*storage.Operation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errClosed
	}
	return l.batchLocked(ops)
}

func (l *log) batchLocked(ops []*storage.Operation) error {
	l.buf, l.pending = l.buf[:0], l.pending[:0]
	var written map[string]*storage.Operation // this batch's writes, for its gets
	for _, op := range ops {
		switch op.Type {
		case storage.Get:
			if w, ok := written[op.Key]; ok {
				op.Value = nil
				if w.Type == storage.Set {
					op.Value = slices.Clone(w.Value)
				}
				continue
			}
			v, err := l.read(op.Key)
			if err != nil {
				return err
			}
			op.Value = v
		case storage.Set, storage.Delete:
			if op.Type == storage.Delete {
				if _, ok := l.index.get(op.Key); !ok && written[op.Key] == nil {
					continue // nothing to delete
				}
			}
			if len(op.Key) > maxKeyLen || len(op.Value) >= maxValueLen {
				return fmt.Errorf("key or value too large (key %d bytes, value %d bytes)", len(op.Key), len(op.Value))
			}
			if written == nil {
				written = map[string]*storage.Operation{}
			}
			written[op.Key] = op
			l.appendRecord(op.Key, op.Value, op.Type == storage.Delete)
		default:
			return fmt.Errorf("unknown storage operation %d", op.Type)
		}
	}
	return l.commit()
}

// commit writes the batch being built and indexes it.
func (l *log) commit() error {
	if len(l.pending) == 0 {
		return nil
	}
	l.seal()
	if s := l.active(); s.size > 0 && s.size+int64(len(l.buf)) > l.maxSize {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	if err := l.write(l.active(), l.fsync); err != nil {
		return err
	}
	l.dropDeadSegments()
	if cap(l.buf) > 4*int(l.maxSize) {
		l.buf = nil // a huge batch: do not keep its buffer
	}
	return nil
}

// rotate starts a new segment. When garbage dominates the disk (records of
// long-lived keys keep old segments alive), the oldest segment's live
// records are copied forward so it can go.
func (l *log) rotate() error {
	if err := l.newSegment(l.active().id + 1); err != nil {
		return err
	}
	for len(l.segments) > 2 && l.diskBytes > 2*l.liveBytes+2*l.maxSize {
		if err := l.relocate(l.segments[0]); err != nil {
			return err
		}
		l.dropDeadSegments()
	}
	return nil
}

// relocate rewrites s's live records into the active segment.
func (l *log) relocate(s *segment) error {
	var keys []string
	for k, at := range l.index.all() {
		if at.seg == s.id {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	buf, pend := l.buf, l.pending // relocate runs inside a commit: keep its batch
	l.buf, l.pending = nil, nil
	defer func() { l.buf, l.pending = buf, pend }()
	for _, k := range keys {
		v, err := l.read(k)
		if err != nil {
			return err
		}
		l.appendRecord(k, v, false)
	}
	if len(l.pending) == 0 {
		return nil
	}
	l.seal()
	return l.write(l.active(), true) // on disk before the old copies go
}

// read returns a copy of key's value, nil when it has none.
func (l *log) read(key string) ([]byte, error) {
	at, ok := l.index.get(key)
	if !ok {
		return nil, nil
	}
	v := make([]byte, at.vlen)
	if _, err := l.segment(at.seg).f.ReadAt(v, at.off); err != nil {
		return nil, fmt.Errorf("read %q: %w", key, err)
	}
	return v, nil
}

// Get returns key's value, nil when it has none.
func (l *log) Get(ctx context.Context, key string) ([]byte, error) {
	op := storage.GetOperation(key)
	err := l.Batch(ctx, op)
	return op.Value, err
}

// Set stores value under key.
func (l *log) Set(ctx context.Context, key string, value []byte) error {
	return l.Batch(ctx, storage.SetOperation(key, value))
}

// Delete removes key.
func (l *log) Delete(ctx context.Context, key string) error {
	return l.Batch(ctx, storage.DeleteOperation(key))
}

// Walk calls fn for every key, in key order, and then runs the operations
// fn returned, as one batch.
func (l *log) Walk(_ context.Context, fn storage.WalkFunc) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errClosed
	}
	keys := make([]string, 0, l.index.len())
	for k := range l.index.all() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var ops []*storage.Operation
	for _, k := range keys {
		v, err := l.read(k)
		if err != nil {
			return err
		}
		more, err := fn(k, v)
		ops = append(ops, more...)
		if errors.Is(err, storage.SkipAll) {
			break
		}
		if err != nil {
			return err
		}
	}
	return l.batchLocked(ops)
}

// Close syncs and closes the files; the client cannot be used after.
func (l *log) Close(context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	err := l.active().f.Sync()
	l.closeFiles()
	l.mu.Unlock()
	if l.onClose != nil {
		l.onClose()
	}
	return err
}

func (l *log) closeFiles() {
	for _, s := range l.segments {
		s.f.Close()
	}
	_ = syscall.Flock(int(l.lock.Fd()), syscall.LOCK_UN)
	l.lock.Close()
}
