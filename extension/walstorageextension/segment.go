package walstorageextension // import "github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

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

// segment is one file of a client's log.
type segment struct {
	id   uint64
	f    *os.File
	size int64 // bytes of whole batches
	live int   // records the index points at
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
