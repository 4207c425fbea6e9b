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
// then rows, each a little-endian uint32 length and the row. A converted
// request or a queue item is one such chunk, buf. A batch refers to the
// chunks of the requests merged into it (more) rather than copying them:
// a batch of tens of megabytes was a second copy of its rows, held from
// the first merge until the insert, plus an idle one for the next batch.
type rowRequest struct {
	buf   []byte   // chunk 0: rowsV1, then rows
	more  [][]byte // chunks 1…: those of the requests merged in
	refs  []rowRef // every row, in order
	bytes int      // BytesSize: rowsV1 and every row with its length
}

// rowRef is where a row (without its length) lies: chunk[start:end].
type rowRef struct{ chunk, start, end uint32 }

var _ xexporterhelper.Request = (*rowRequest)(nil)

func (r *rowRequest) ItemsCount() int { return len(r.refs) }

func (r *rowRequest) BytesSize() int { return r.bytes }

func (r *rowRequest) chunk(i uint32) []byte {
	if i == 0 {
		return r.buf
	}
	return r.more[i-1]
}

// row is row i, without its length.
func (r *rowRequest) row(i int) []byte {
	ref := r.refs[i]
	return r.chunk(ref.chunk)[ref.start:ref.end]
}

func (ref rowRef) size(szt exporterhelper.RequestSizerType) int {
	if szt == exporterhelper.RequestSizerTypeBytes {
		return 4 + int(ref.end-ref.start)
	}
	return 1
}

// MergeSplit appends other's rows to r, then cuts r into requests of at
// most maxSize (a row larger than maxSize bytes goes alone: it is never
// dropped). Rows are not copied: r and its parts refer to the chunks they
// came in.
func (r *rowRequest) MergeSplit(_ context.Context, maxSize int, szt exporterhelper.RequestSizerType, other xexporterhelper.Request) ([]xexporterhelper.Request, error) {
	if szt != exporterhelper.RequestSizerTypeItems && szt != exporterhelper.RequestSizerTypeBytes {
		return nil, fmt.Errorf("rows: unsupported sizer %v", szt)
	}
	if other != nil {
		o, ok := other.(*rowRequest)
		if !ok {
			return nil, fmt.Errorf("rows: cannot merge a %T", other)
		}
		shift := uint32(1 + len(r.more))
		r.more = append(append(r.more, o.buf), o.more...)
		for _, ref := range o.refs {
			ref.chunk += shift
			r.refs = append(r.refs, ref)
		}
		r.bytes += o.bytes - 1
	}
	total := len(r.refs)
	if szt == exporterhelper.RequestSizerTypeBytes {
		total = r.bytes
	}
	if maxSize <= 0 || total <= maxSize {
		return []xexporterhelper.Request{r}, nil
	}
	var out []xexporterhelper.Request
	from, size := 0, 0
	for i, ref := range r.refs {
		s := ref.size(szt)
		if i > from && size+s > maxSize {
			out = append(out, r.slice(from, i))
			from, size = i, 0
		}
		size += s
	}
	return append(out, r.slice(from, len(r.refs))), nil
}

// slice is a request of rows [from, to), on r's chunks. Its slices have no
// room beyond their length: a later merge into one part copies them rather
// than writing over the next part's.
func (r *rowRequest) slice(from, to int) *rowRequest {
	s := &rowRequest{buf: r.buf, more: r.more[:len(r.more):len(r.more)], refs: r.refs[from:to:to], bytes: 1}
	for _, ref := range s.refs {
		s.bytes += ref.size(exporterhelper.RequestSizerTypeBytes)
	}
	return s
}

// begin starts a row in buf; endRow(at) closes the row begun at at.
func (r *rowRequest) begin() int {
	at := len(r.buf)
	r.buf = append(r.buf, 0, 0, 0, 0)
	return at
}

func (r *rowRequest) endRow(at int) {
	binary.LittleEndian.PutUint32(r.buf[at:], uint32(len(r.buf)-at-4))
	r.refs = append(r.refs, rowRef{0, uint32(at + 4), uint32(len(r.buf))})
	r.bytes = len(r.buf)
}

// whole reports whether r is exactly its own chunk (a converted request or
// a queue item, not a batch or a part of one).
func (r *rowRequest) whole() bool { return len(r.more) == 0 && r.bytes == len(r.buf) }

// flat is r's rows as one chunk.
func (r *rowRequest) flat() []byte {
	if r.whole() {
		return r.buf
	}
	b := make([]byte, 1, r.bytes)
	b[0] = rowsV1
	for i := range r.refs {
		row := r.row(i)
		b = append(binary.LittleEndian.AppendUint32(b, uint32(len(row))), row...)
	}
	return b
}

// rowEncoding is the persistent queue's encoding of row requests; legacy
// reads an item an older version wrote (OTLP protobuf) into rows.
type rowEncoding struct {
	signal string
	legacy func([]byte) (*rowRequest, error)
}

// Marshal hands over the request's own bytes (those of a batch in one
// chunk): the queue writes them before the request is used again.
func (e rowEncoding) Marshal(_ context.Context, req xexporterhelper.Request) ([]byte, error) {
	r, ok := req.(*rowRequest)
	if !ok {
		return nil, fmt.Errorf("%s: cannot encode a %T", e.signal, req)
	}
	return r.flat(), nil
}

// Unmarshal checks every row's length against the item, or converts an
// older version's item.
func (e rowEncoding) Unmarshal(b []byte) (context.Context, xexporterhelper.Request, error) {
	ctx := context.Background()
	r, rows, err := unmarshalRows(b)
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
func unmarshalRows(b []byte) (_ *rowRequest, rows bool, _ error) {
	if len(b) == 0 || b[0] != rowsV1 {
		return nil, false, nil
	}
	r := &rowRequest{buf: b[:len(b):len(b)], bytes: len(b)}
	for at := 1; at < len(b); {
		if len(b)-at < 4 {
			return nil, true, errDamagedRows
		}
		n := int(binary.LittleEndian.Uint32(b[at:]))
		if n > len(b)-at-4 {
			return nil, true, errDamagedRows
		}
		r.refs = append(r.refs, rowRef{0, uint32(at + 4), uint32(at + 4 + n)})
		at += 4 + n
	}
	return r, true, nil
}
