package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"time"

	"github.com/ClickHouse/ch-go/proto"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// item is one row's source: its org and a readable copy for dead letters.
type item interface {
	describe() (org, record string)
}

// columns are one table's columns, reused from insert to insert.
type columns[T item] interface {
	reset()
	append(it T, window agora.TimeWindow, now time.Time)
	input() proto.Input
}

// tableRows are one table's share of a request, encodable by any range
// (a refused block is split in halves, see poison.go).
type tableRows[T item] struct {
	items  []T
	cols   columns[T]
	window agora.TimeWindow
	now    time.Time
}

func (r *tableRows[T]) len() int { return len(r.items) }

func (r *tableRows[T]) encode(from, to int) (proto.Input, error) {
	r.cols.reset()
	for _, it := range r.items[from:to] {
		r.cols.append(it, r.window, r.now)
	}
	return r.cols.input(), nil
}

func (r *tableRows[T]) describe(i int) (string, string) { return r.items[i].describe() }
