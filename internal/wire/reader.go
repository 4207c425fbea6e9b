// Package wire reads the project's varint-framed binary layouts (the
// execution records' compact body, the exporter's queue rows): every read
// is bounded by the input, and the first fault sticks, so a decoder checks
// once, at the end, and a damaged input is an error, never a panic.
package wire // import "github.com/agora-otelcol/agora-otelcol/internal/wire"

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrShort: the input ends before what it says it holds.
var ErrShort = errors.New("truncated")

// Reader reads b; after the first fault every read returns a zero value.
type Reader struct {
	b   []byte
	err error
}

// NewReader reads b.
func NewReader(b []byte) Reader { return Reader{b: b} }

// Fail records err (the first fault wins) and stops reading.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

// Err is the first fault, nil when there was none.
func (r *Reader) Err() error { return r.err }

// Rest is what is left to read.
func (r *Reader) Rest() []byte { return r.b }

// Take is the next n bytes, sharing the input's.
func (r *Reader) Take(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.Fail(ErrShort)
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

// Uvarint is an unsigned varint. Most are lengths and counts under 128: one
// byte, read inline.
func (r *Reader) Uvarint() uint64 {
	if b := r.b; len(b) > 0 && b[0] < 0x80 {
		r.b = b[1:]
		return uint64(b[0])
	}
	return r.uvarint()
}

func (r *Reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.Fail(ErrShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Varint is a zigzag varint (binary.AppendVarint's).
func (r *Reader) Varint() int64 {
	u := r.Uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// Count is a length the rest of the input can hold (each item takes at
// least one byte), so a hostile length never sizes an allocation.
func (r *Reader) Count() int {
	n := r.Uvarint()
	if n > uint64(len(r.b)) {
		r.Fail(ErrShort)
		return 0
	}
	return int(n)
}

// Bytes is a length-prefixed byte string, sharing the input's bytes.
func (r *Reader) Bytes() []byte {
	if b := r.b; len(b) > 0 && b[0] < 0x80 && int(b[0]) < len(b) { // a one-byte length
		n := 1 + int(b[0])
		r.b = b[n:]
		return b[1:n:n]
	}
	return r.Take(r.Count())
}

// Done is the decoder's error: the first fault, or bytes left over.
func (r *Reader) Done() error {
	if r.err == nil && len(r.b) > 0 {
		return fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return r.err
}
