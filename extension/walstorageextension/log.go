package walstorageextension // import "github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

// A client's segment files hold records back to back:
//
//	crc32c u32 | flags u8 | key length u32 | value length u32 | key | value
//
// The checksum covers everything after itself. flagDelete marks a deletion
// (no value). flagCommit ends a batch: at open, the records of a batch
// without its commit (a write cut short by a crash) are discarded, so a
// batch is stored whole or not at all.
const (
	headerSize = 13
	flagDelete = 1
	flagCommit = 2
	segmentExt = ".wal"
	// Bounds a corrupt length can claim before it is read as garbage.
	maxKeyLen   = 1 << 16
	maxValueLen = 1 << 31
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errClosed = errors.New("storage client is closed")

// segment is one file of a client's log.
type segment struct {
	id   uint64
	f    *os.File
	size int64 // bytes of whole batches
	live int   // records the index points at
}

// loc is where a key's current value is.
type loc struct {
	seg  *segment
	off  int64 // of the value
	size int64 // of the whole record
	vlen int
}

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
	index     map[string]loc
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
	l := &log{dir: dir, maxSize: maxSize, fsync: fsync, logger: logger, lock: lock, index: map[string]loc{}}
	if err := l.load(); err != nil {
		l.closeFiles()
		return nil, err
	}
	return l, nil
}

// load replays every segment, oldest first, into the index.
func (l *log) load() error {
	names, err := filepath.Glob(filepath.Join(l.dir, "*"+segmentExt))
	if err != nil {
		return err
	}
	var ids []uint64
	for _, n := range names {
		id, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(n), segmentExt), 16, 64)
		if err != nil {
			return fmt.Errorf("unexpected file %s in %s", filepath.Base(n), l.dir)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		f, err := os.OpenFile(l.segmentPath(id), os.O_RDWR, 0o600)
		if err != nil {
			return err
		}
		s := &segment{id: id, f: f}
		l.segments = append(l.segments, s)
		if err := l.replay(s); err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
	}
	if len(l.segments) == 0 {
		return l.newSegment(1)
	}
	l.dropDeadSegments()
	return nil
}

// replay reads s's records into the index, a batch at a time, and cuts the
// file after its last whole batch.
func (l *log) replay(s *segment) error {
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(s.f, 1<<20)
	var hdr [headerSize]byte
	var body []byte
	var batch []pending
	var off, committed int64
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			break // the end, or a header cut short
		}
		flags := hdr[4]
		klen, vlen := binary.LittleEndian.Uint32(hdr[5:]), binary.LittleEndian.Uint32(hdr[9:])
		if klen > maxKeyLen || vlen > maxValueLen || off+headerSize+int64(klen)+int64(vlen) > st.Size() {
			break
		}
		body = slices.Grow(body[:0], int(klen+vlen))[:klen+vlen]
		if _, err := io.ReadFull(r, body); err != nil {
			break
		}
		crc := crc32.Update(crc32.Checksum(hdr[4:], castagnoli), castagnoli, body)
		if crc != binary.LittleEndian.Uint32(hdr[:4]) {
			break
		}
		size := headerSize + int64(klen) + int64(vlen)
		batch = append(batch, pending{key: string(body[:klen]), off: off, size: size, vlen: int(vlen), del: flags&flagDelete != 0})
		off += size
		if flags&flagCommit != 0 {
			l.apply(s, 0, batch)
			batch, committed = batch[:0], off
		}
	}
	if committed < st.Size() {
		l.logger.Warn("Discarding the end of a segment: a write cut short (a crash) or damage",
			zap.String("segment", filepath.Base(s.f.Name())), zap.Int64("bytes", st.Size()-committed))
		if err := s.f.Truncate(committed); err != nil {
			return err
		}
	}
	s.size = committed
	l.diskBytes += committed
	return nil
}

// apply points the index at a batch's records, written at base in s.
func (l *log) apply(s *segment, base int64, batch []pending) {
	for _, p := range batch {
		if old, ok := l.index[p.key]; ok {
			old.seg.live--
			l.liveBytes -= old.size
		}
		if p.del {
			delete(l.index, p.key)
			continue
		}
		l.index[p.key] = loc{seg: s, off: base + p.off + headerSize + int64(len(p.key)), size: p.size, vlen: p.vlen}
		s.live++
		l.liveBytes += p.size
	}
}

func (l *log) segmentPath(id uint64) string {
	return filepath.Join(l.dir, fmt.Sprintf("%016x%s", id, segmentExt))
}

func (l *log) newSegment(id uint64) error {
	f, err := os.OpenFile(l.segmentPath(id), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	l.segments = append(l.segments, &segment{id: id, f: f})
	if l.fsync {
		// A synced file whose directory entry is not can still vanish
		// with the power.
		return syncDir(l.dir)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (l *log) active() *segment { return l.segments[len(l.segments)-1] }

// dropDeadSegments deletes the oldest segments while nothing in them is live.
func (l *log) dropDeadSegments() {
	for len(l.segments) > 1 && l.segments[0].live == 0 {
		s := l.segments[0]
		s.f.Close()
		if err := os.Remove(s.f.Name()); err != nil {
			l.logger.Warn("Cannot delete a segment", zap.Error(err))
		}
		l.diskBytes -= s.size
		l.segments = l.segments[1:]
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
				if _, ok := l.index[op.Key]; !ok && written[op.Key] == nil {
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

// appendRecord encodes a record into the batch buffer.
func (l *log) appendRecord(key string, value []byte, del bool) {
	start := len(l.buf)
	var flags byte
	if del {
		flags, value = flagDelete, nil
	}
	l.buf = append(l.buf, 0, 0, 0, 0, flags)
	l.buf = binary.LittleEndian.AppendUint32(l.buf, uint32(len(key)))
	l.buf = binary.LittleEndian.AppendUint32(l.buf, uint32(len(value)))
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, value...)
	l.pending = append(l.pending, pending{key: key, off: int64(start), size: int64(len(l.buf) - start), vlen: len(value), del: del})
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

// seal marks the batch's last record as its commit and checksums them all.
func (l *log) seal() {
	for i, p := range l.pending {
		rec := l.buf[p.off : p.off+p.size]
		if i == len(l.pending)-1 {
			rec[4] |= flagCommit
		}
		binary.LittleEndian.PutUint32(rec, crc32.Checksum(rec[4:], castagnoli))
	}
}

// write appends the sealed batch to s, then points the index at it.
func (l *log) write(s *segment, sync bool) error {
	if _, err := s.f.WriteAt(l.buf, s.size); err != nil {
		// Whatever part was written has no commit: cut it off now, or
		// the next open discards it (and the batches after it).
		_ = s.f.Truncate(s.size)
		return err
	}
	if sync {
		if err := s.f.Sync(); err != nil {
			return err
		}
	}
	l.apply(s, s.size, l.pending)
	s.size += int64(len(l.buf))
	l.diskBytes += int64(len(l.buf))
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
	for k, at := range l.index {
		if at.seg == s {
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
	at, ok := l.index[key]
	if !ok {
		return nil, nil
	}
	v := make([]byte, at.vlen)
	if _, err := at.seg.f.ReadAt(v, at.off); err != nil {
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
	keys := make([]string, 0, len(l.index))
	for k := range l.index {
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
