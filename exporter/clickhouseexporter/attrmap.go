package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// attrMap is a Map column value that keeps pdata's attribute order. A Go map
// would serialize in random order, so a retried batch would hash differently
// and escape ClickHouse's insert deduplication.
type attrMap struct {
	keys, values []string
	pos          int
}

var _ column.IterableOrderedMap = (*attrMap)(nil)

// attributesToMap flattens attributes to strings; maps and slices become JSON.
func attributesToMap(attrs pcommon.Map) *attrMap {
	m := &attrMap{keys: make([]string, 0, attrs.Len()), values: make([]string, 0, attrs.Len())}
	for k, v := range attrs.All() {
		m.keys = append(m.keys, k)
		m.values = append(m.values, v.AsString())
	}
	return m
}

func (m *attrMap) Put(k, v any) {
	m.keys = append(m.keys, k.(string))
	m.values = append(m.values, v.(string))
}

// Iterator walks the pairs once; the driver reads each map once per insert.
func (m *attrMap) Iterator() column.MapIterator {
	m.pos = -1
	return m
}

func (m *attrMap) Next() bool { m.pos++; return m.pos < len(m.keys) }
func (m *attrMap) Key() any   { return m.keys[m.pos] }
func (m *attrMap) Value() any { return m.values[m.pos] }
