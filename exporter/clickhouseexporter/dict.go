package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"errors"
	"math"

	"github.com/ClickHouse/ch-go/proto"
)

// dictColumn is a LowCardinality(String) column that builds its dictionary
// as values arrive: one map lookup per value, straight from bytes. ch-go's
// ColLowCardinality keeps every value as a string (so callers intern bytes
// into strings first) and looks each up again to build the dictionary
// before the block is encoded: about 4% of the collector's CPU under span
// load.
type dictColumn struct {
	raw  proto.ColLowCardinalityRaw
	dict proto.ColStr
	// index outlives the block, so a value repeating from block to block
	// is a string once: an entry of an older block (gen) is not in this
	// block's dictionary yet.
	index map[string]*dictKey
	gen   uint32
	keys  []uint32
	// recent caches index entries by a cheap hash of the value (length,
	// first and last byte): most values repeat from row to row (attribute
	// names, service and span names), and comparing one string is about a
	// third of a map look-up's cost.
	recent [64]*dictKey
}

type dictKey struct {
	gen, key uint32
	val      string // the index's key
}

func slot[T string | []byte](v T) int {
	if len(v) == 0 {
		return 0
	}
	return (len(v)*7 ^ int(v[0])*3 ^ int(v[len(v)-1])) & 63
}

var _ proto.ColumnOf[string] = (*dictColumn)(nil)

func newDict() *dictColumn {
	d := &dictColumn{index: map[string]*dictKey{}}
	d.raw.Index = &d.dict
	return d
}

// AppendBytes adds a value; only a value new to the block is copied.
func (d *dictColumn) AppendBytes(b []byte) { dictAppend(d, b) }

func (d *dictColumn) Append(s string) { dictAppend(d, s) }

// dictAppend finds v (in recent, else in the index: a map index by
// string(v) does not allocate) and adds it to the dictionary when the block
// has not seen it yet.
func dictAppend[T string | []byte](d *dictColumn, v T) {
	r := &d.recent[slot(v)]
	k := *r
	if k == nil || k.val != string(v) {
		if k = d.index[string(v)]; k == nil {
			s := string(v)
			k = &dictKey{gen: d.gen - 1, val: s} // not in this block's dictionary yet
			d.index[s] = k
		}
		*r = k
	}
	if k.gen != d.gen {
		k.gen, k.key = d.gen, uint32(len(d.dict.Pos))
		start := len(d.dict.Buf)
		d.dict.Buf = append(d.dict.Buf, v...)
		d.dict.Pos = append(d.dict.Pos, proto.Position{Start: start, End: len(d.dict.Buf)})
	}
	d.keys = append(d.keys, k.key)
}

func (d *dictColumn) AppendArr(v []string) {
	for _, s := range v {
		d.Append(s)
	}
}

func (d *dictColumn) Row(i int) string { return d.dict.Row(int(d.keys[i])) }
func (d *dictColumn) Rows() int        { return len(d.keys) }
func (d *dictColumn) Type() proto.ColumnType {
	return proto.ColumnTypeLowCardinality.Sub(proto.ColumnTypeString)
}

// Reset empties the column for the next block; an index that grew large
// (values that do not repeat) is dropped rather than kept.
func (d *dictColumn) Reset() {
	d.gen++
	if len(d.index) > 1<<14 || d.gen == 0 {
		d.index = map[string]*dictKey{}
		d.recent = [64]*dictKey{}
	}
	d.keys = d.keys[:0]
	d.raw.Reset()
}

// Prepare writes the keys in the narrowest width the dictionary allows, as
// ch-go does (ch-go calls it before encoding a block).
func (d *dictColumn) Prepare() error {
	switch n := d.dict.Rows(); {
	case n <= math.MaxUint8+1:
		d.raw.Key = proto.KeyUInt8
		d.raw.Keys8 = narrow(d.raw.Keys8[:0], d.keys)
	case n <= math.MaxUint16+1:
		d.raw.Key = proto.KeyUInt16
		d.raw.Keys16 = narrow(d.raw.Keys16[:0], d.keys)
	default:
		d.raw.Key = proto.KeyUInt32
		d.raw.Keys32 = narrow(d.raw.Keys32[:0], d.keys)
	}
	return nil
}

func narrow[K uint8 | uint16 | uint32, S ~[]K](dst S, keys []uint32) S {
	for _, k := range keys {
		dst = append(dst, K(k))
	}
	return dst
}

func (d *dictColumn) EncodeState(b *proto.Buffer)  { d.raw.EncodeState(b) }
func (d *dictColumn) EncodeColumn(b *proto.Buffer) { d.raw.EncodeColumn(b) }
func (d *dictColumn) WriteColumn(w *proto.Writer)  { d.raw.WriteColumn(w) }

// DecodeColumn: the column is only written.
func (d *dictColumn) DecodeColumn(*proto.Reader, int) error {
	return errors.New("dictColumn is insert-only")
}
