package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
)

// Spans and log records cross the exporter's queue as rows of their
// tables, encoded once on arrival: the queue stores them as they are, the
// batcher merges and splits them as bytes, and an insert reads them
// straight into columns. With pdata in the queue every item was decoded a
// second time (into objects, for the garbage collector) and batches waiting
// to be sent held those objects; a row is a few hundred bytes.

// rowsV1 starts every request. It can never start the protobuf request
// the queue stored before (field number 0 does not exist), so a queue left
// by an older version is still read (rowEncoding).
const rowsV1 byte = 0x01

// rowRequest is a request of table rows (spans.go, logrows.go): rowsV1,
// then rows, each a little-endian uint32 length and the row.
type rowRequest struct {
	buf    []byte // rowsV1, then the rows
	starts []int  // where each row's length begins in buf
	owned  bool   // buf was allocated here, not handed over by the storage
	kind   *rowKind
}

var _ xexporterhelper.Request = (*rowRequest)(nil)

func (r *rowRequest) ItemsCount() int { return len(r.starts) }

func (r *rowRequest) BytesSize() int { return len(r.buf) }

// end is where row i ends in buf.
func (r *rowRequest) end(i int) int {
	if i+1 < len(r.starts) {
		return r.starts[i+1]
	}
	return len(r.buf)
}

// row is row i, without its length.
func (r *rowRequest) row(i int) []byte { return r.buf[r.starts[i]+4 : r.end(i)] }

func (r *rowRequest) size(i int, szt exporterhelper.RequestSizerType) int {
	if szt == exporterhelper.RequestSizerTypeBytes {
		return r.end(i) - r.starts[i]
	}
	return 1
}

// MergeSplit appends other's rows to r, then cuts r into requests of at
// most maxSize (a row larger than maxSize bytes goes alone: it is never
// dropped).
func (r *rowRequest) MergeSplit(_ context.Context, maxSize int, szt exporterhelper.RequestSizerType, other xexporterhelper.Request) ([]xexporterhelper.Request, error) {
	if szt != exporterhelper.RequestSizerTypeItems && szt != exporterhelper.RequestSizerTypeBytes {
		return nil, fmt.Errorf("rows: unsupported sizer %v", szt)
	}
	if other != nil {
		o, ok := other.(*rowRequest)
		if !ok {
			return nil, fmt.Errorf("rows: cannot merge a %T", other)
		}
		shift := len(r.buf) - 1
		if need := len(r.buf) + len(o.buf) - 1; need > cap(r.buf) {
			// Room for a whole batch at once, from a recycled batch when
			// there is one: append grows a large slice by a quarter,
			// copying a batch of tens of megabytes over and over as
			// requests merge into it.
			k := r.rowKind()
			b := k.batches.get(k.batchRoom(need, maxSize, szt))
			r.buf, r.owned = append(b, r.buf...), true
		}
		r.buf = append(r.buf, o.buf[1:]...)
		if need := len(r.starts) + len(o.starts); need > cap(r.starts) {
			r.starts = append(make([]int, 0, 2*need), r.starts...)
		}
		for _, s := range o.starts {
			r.starts = append(r.starts, s+shift)
		}
	}
	total := len(r.starts)
	if szt == exporterhelper.RequestSizerTypeBytes {
		total = len(r.buf)
	}
	if maxSize <= 0 || total <= maxSize {
		return []xexporterhelper.Request{r}, nil
	}
	var out []xexporterhelper.Request
	from, size := 0, 0
	for i := range r.starts {
		s := r.size(i, szt)
		if i > from && size+s > maxSize {
			out = append(out, r.slice(from, i))
			from, size = i, 0
		}
		size += s
	}
	return append(out, r.slice(from, len(r.starts))), nil
}

// slice is a new request of rows [from, to).
func (r *rowRequest) slice(from, to int) *rowRequest {
	base := r.starts[from]
	s := &rowRequest{buf: make([]byte, 1, 1+r.end(to-1)-base), starts: make([]int, 0, to-from), owned: true, kind: r.kind}
	s.buf[0] = rowsV1
	s.buf = append(s.buf, r.buf[base:r.end(to-1)]...)
	for _, at := range r.starts[from:to] {
		s.starts = append(s.starts, at-base+1)
	}
	return s
}

// begin starts a row; end(at) closes the row begun at at.
func (r *rowRequest) begin() int {
	at := len(r.buf)
	r.starts = append(r.starts, at)
	r.buf = append(r.buf, 0, 0, 0, 0)
	return at
}

func (r *rowRequest) endRow(at int) {
	binary.LittleEndian.PutUint32(r.buf[at:], uint32(len(r.buf)-at-4))
}

// rowEncoding is the persistent queue's encoding of row requests; legacy
// reads an item an older version wrote (OTLP protobuf) into rows.
type rowEncoding struct {
	signal string
	kind   *rowKind
	legacy func([]byte) (*rowRequest, error)
}

// Marshal hands over the request's own bytes: the queue writes them before
// the request is used again.
func (e rowEncoding) Marshal(_ context.Context, req xexporterhelper.Request) ([]byte, error) {
	r, ok := req.(*rowRequest)
	if !ok {
		return nil, fmt.Errorf("%s: cannot encode a %T", e.signal, req)
	}
	return r.buf, nil
}

// Unmarshal checks every row's length against the item, or converts an
// older version's item.
func (e rowEncoding) Unmarshal(b []byte) (context.Context, xexporterhelper.Request, error) {
	ctx := context.Background()
	r, rows, err := unmarshalRows(b, e.kind)
	if !rows && err == nil {
		r, err = e.legacy(b)
	}
	if err != nil {
		return ctx, nil, fmt.Errorf("%s: %w", e.signal, err)
	}
	return ctx, r, nil
}

var errDamagedRows = errors.New("damaged queue item")

// unmarshalRows checks every row's length against the item; rows reports
// false for an item that is not rows (an older version's protobuf).
func unmarshalRows(b []byte, kind *rowKind) (_ *rowRequest, rows bool, _ error) {
	if len(b) == 0 || b[0] != rowsV1 {
		return nil, false, nil
	}
	r := &rowRequest{buf: b[:len(b):len(b)], kind: kind}
	for at := 1; at < len(b); {
		if len(b)-at < 4 {
			return nil, true, errDamagedRows
		}
		n := int(binary.LittleEndian.Uint32(b[at:]))
		if n > len(b)-at-4 {
			return nil, true, errDamagedRows
		}
		r.starts = append(r.starts, at)
		at += 4 + n
	}
	return r, true, nil
}
