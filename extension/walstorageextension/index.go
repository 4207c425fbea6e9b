package walstorageextension // import "github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"

import (
	"iter"
	"slices"
)

// loc is where a key's current value is.
type loc struct {
	seg  uint64 // the segment's id
	off  int64  // of the value
	size int64  // of the whole record
	vlen int
}

// shortKeyLen bytes fit a key held inline: every key the exporter's queue
// and the execution processor's journal write.
const shortKeyLen = 31

// shortKey is a key of up to shortKeyLen bytes, then its length.
type shortKey [shortKeyLen + 1]byte

// index is the in-memory index: key -> loc. A journal keeps an entry per
// request for every execution in its retention, tens of thousands: short
// keys held inline and locs naming their segment by id leave the maps
// without a pointer, so the garbage collector never scans them, and a key
// costs no allocation of its own.
type index struct {
	short map[shortKey]loc
	long  map[string]loc
}

func newIndex() index { return index{short: map[shortKey]loc{}, long: map[string]loc{}} }

func toShort(k string) (shortKey, bool) {
	var s shortKey
	if len(k) > shortKeyLen {
		return s, false
	}
	s[shortKeyLen] = byte(copy(s[:], k))
	return s, true
}

func (s *shortKey) String() string { return string(s[:s[shortKeyLen]]) }

func (x index) get(k string) (loc, bool) {
	if s, ok := toShort(k); ok {
		at, found := x.short[s]
		return at, found
	}
	at, found := x.long[k]
	return at, found
}

func (x index) set(k string, at loc) {
	if s, ok := toShort(k); ok {
		x.short[s] = at
		return
	}
	x.long[k] = at
}

func (x index) del(k string) {
	if s, ok := toShort(k); ok {
		delete(x.short, s)
		return
	}
	delete(x.long, k)
}

func (x index) len() int { return len(x.short) + len(x.long) }

// all yields every key and its loc, in no order.
func (x index) all() iter.Seq2[string, loc] {
	return func(yield func(string, loc) bool) {
		for s, at := range x.short {
			if !yield(s.String(), at) {
				return
			}
		}
		for k, at := range x.long {
			if !yield(k, at) {
				return
			}
		}
	}
}

// segment is the segment with this id; segments are kept by id, oldest first.
func (l *log) segment(id uint64) *segment {
	i, found := slices.BinarySearchFunc(l.segments, id, func(s *segment, id uint64) int {
		switch {
		case s.id < id:
			return -1
		case s.id > id:
			return 1
		}
		return 0
	})
	if !found {
		return nil
	}
	return l.segments[i]
}
