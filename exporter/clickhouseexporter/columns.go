package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"encoding/hex"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// idleBuilders is how many idle column builders (or block buffers) of one
// kind are kept: enough for the consumers of a shipped config.
const idleBuilders = 4

// freeList keeps up to n idle builders. Unlike a sync.Pool it is not emptied
// by garbage collection: a builder keeps the capacity its largest insert grew
// it to, instead of growing it again (and feeding the collector) after
// every GC cycle.
type freeList[C any] struct {
	idle  chan C
	fresh func() C
}

func newFreeList[C any](n int, fresh func() C) *freeList[C] {
	return &freeList[C]{idle: make(chan C, n), fresh: fresh}
}

func (f *freeList[C]) get() C {
	select {
	case c := <-f.idle:
		return c
	default:
		return f.fresh()
	}
}

func (f *freeList[C]) put(c C) {
	select {
	case f.idle <- c:
	default:
	}
}

// Column helpers: values go straight into ch-go's columns, without boxing
// or intermediate maps (the cost the row-wise driver API pays).

func dateTime64(precision proto.Precision) *proto.ColDateTime64 {
	return new(proto.ColDateTime64).WithPrecision(precision)
}

// attrMap is Map(LowCardinality(String), String), filled entry by entry.
type attrMap struct {
	col    *proto.ColMap[string, string]
	keys   *dictColumn
	values *proto.ColStr
}

func newAttrMap() attrMap {
	keys, values := newDict(), new(proto.ColStr)
	return attrMap{col: proto.NewMap[string, string](keys, values), keys: keys, values: values}
}

// put adds one key and value to the row being built.
func (m attrMap) put(k, v string) {
	m.keys.Append(k)
	m.values.Append(v)
}

// putValue adds an attribute; maps and slices become JSON text.
func (m attrMap) putValue(k string, v pcommon.Value) {
	m.keys.Append(k)
	if v.Type() == pcommon.ValueTypeStr {
		m.values.Append(v.Str())
		return
	}
	m.values.Append(v.AsString())
}

// end closes the row.
func (m attrMap) end() { m.col.Offsets.Append(uint64(m.keys.Rows())) }

// appendResource adds a row of resource attributes, without the tenant's
// (the row's org is its own column).
func (m attrMap) appendResource(res pcommon.Map) {
	for k, v := range res.All() {
		if !agora.TenantAttr(k) {
			m.putValue(k, v)
		}
	}
	m.end()
}

// appendHex adds an id as lowercase hex ("" for an empty id), without a
// string allocation.
func appendHex(c *proto.ColStr, id []byte, empty bool) {
	if empty {
		c.Append("")
		return
	}
	var buf [32]byte
	n := hex.Encode(buf[:], id)
	c.AppendBytes(buf[:n])
}

// nullable helpers for the record tables.
func nullTime(c *proto.ColNullable[time.Time], t *time.Time) {
	if t == nil {
		c.Append(proto.Null[time.Time]())
		return
	}
	c.Append(proto.NewNullable(*t))
}

func nullFloat(c *proto.ColNullable[float64], f *float64) {
	if f == nil {
		c.Append(proto.Null[float64]())
		return
	}
	c.Append(proto.NewNullable(*f))
}

func nullInt(c *proto.ColNullable[int64], i *int64) {
	if i == nil {
		c.Append(proto.Null[int64]())
		return
	}
	c.Append(proto.NewNullable(*i))
}

func clampU32(v int64) uint32 { return uint32(min(max(v, 0), 1<<32-1)) }
