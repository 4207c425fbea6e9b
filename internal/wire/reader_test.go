package wire

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReader(t *testing.T) {
	b := binary.AppendUvarint(nil, 300)
	b = binary.AppendVarint(b, -7)
	b = append(binary.AppendUvarint(b, 3), "abc"...)
	r := NewReader(b)
	assert.Equal(t, uint64(300), r.Uvarint())
	assert.Equal(t, int64(-7), r.Varint())
	assert.Equal(t, []byte("abc"), r.Bytes())
	require.NoError(t, r.Done())

	// every cut is an error, and reads after it are zero values
	for n := range len(b) {
		r := NewReader(b[:n])
		r.Uvarint()
		r.Varint()
		r.Bytes()
		assert.ErrorIs(t, r.Done(), ErrShort, "cut at %d", n)
	}
	r = NewReader(append(b, 0))
	r.Uvarint()
	r.Varint()
	r.Bytes()
	assert.Error(t, r.Done(), "trailing bytes")

	// a length beyond the input never allocates or panics
	r = NewReader(binary.AppendUvarint(nil, 1<<62))
	assert.Zero(t, r.Count())
	assert.ErrorIs(t, r.Err(), ErrShort)
	assert.Nil(t, r.Take(-1))
}
