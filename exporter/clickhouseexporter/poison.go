package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ClickHouse/ch-go/proto"
)

// Poison rows: a block ClickHouse refuses because of some of its rows is
// split in halves until the refused rows stand alone; everything else is
// stored, and each refused row goes to the dead_letters table with the
// reason, as a replayable Native block. One bad row never sinks a batch,
// nor another org's rows in it.

// serverError is ClickHouse's refusal of an insert.
type serverError struct {
	code int
	msg  string
}

func (e *serverError) Error() string {
	return fmt.Sprintf("ClickHouse refused the insert (code %d): %s", e.code, e.msg)
}

// errBadBlock: a block could not even be encoded; its rows are at fault.
type errBadBlock struct{ err error }

func (e errBadBlock) Error() string { return "encode block: " + e.err.Error() }

// rowCodes are ClickHouse errors about the data of an insert: the same rows
// will be refused again, however often they are sent.
var rowCodes = map[int]bool{
	6: true, 26: true, 27: true, 38: true, 41: true, // CANNOT_PARSE_*
	53: true, 69: true, 70: true, 72: true, // TYPE_MISMATCH, ARGUMENT_OUT_OF_BOUND, CANNOT_CONVERT_TYPE, CANNOT_PARSE_NUMBER
	117: true, 131: true, 321: true, 469: true, // INCORRECT_DATA, TOO_LARGE_STRING_SIZE, VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE, VIOLATED_CONSTRAINT
}

// tooManyPartitions is code 252 (TOO_MANY_PARTS) about one block's rows
// spanning too many partitions, not the temporary kind about merges.
const tooManyPartitions = "partitions for single INSERT block"

// rowsAtFault reports whether the refusal is about the block's rows.
func rowsAtFault(err error) bool {
	var bad errBadBlock
	if errors.As(err, &bad) {
		return true
	}
	var se *serverError
	if !errors.As(err, &se) {
		return false
	}
	return rowCodes[se.code] || se.code == 252 && strings.Contains(se.msg, tooManyPartitions)
}

// rows is one table's share of a request, insertable by any range.
type rows interface {
	len() int
	// encode builds the block of rows [from, to).
	encode(from, to int) (proto.Input, error)
	// describe is a row's org and a readable copy of its record (OTLP JSON).
	describe(i int) (org, item string)
}

// chunkRows is the most rows one block carries. A larger insert is sent
// as several blocks of one INSERT, which ClickHouse squashes into one part
// (below min_insert_block_size_rows/bytes, 1M rows and 256 MiB: far above
// a batch), so it is stored, refused and deduplicated as a whole; but the
// column builders, the encoded block and the connection's buffers only ever
// hold a chunk.
var chunkRows = 4096

// blocks are the successive blocks of one insert: chunks of rs, or (rs
// nil) the one block in input.
type blocks struct {
	rs       rows
	next, to int         // rows [next, to) are still to be encoded
	input    proto.Input // the block encoded last
	rows     int         // its rows
}

// advance encodes the next chunk into input; false, with an empty input,
// when every row has been encoded. A single block has no next one (and
// keeps its input: call advance only on chunks).
func (b *blocks) advance() (bool, error) {
	if b.rs == nil {
		return false, nil
	}
	end := min(b.next+chunkRows, b.to)
	in, err := b.rs.encode(b.next, end)
	if err != nil {
		return false, errBadBlock{err}
	}
	b.input, b.rows, b.next = in, end-b.next, end
	return b.rows > 0, nil
}

// deadLetter is a row ClickHouse refused.
type deadLetter struct {
	table, org, reason, item string
	block                    []byte
}

// insertSplitting inserts rows [from, to); a refusal about the rows splits
// them. It returns the rows refused alone, or an error to retry the whole.
func (c *client) insertSplitting(ctx context.Context, table string, rs rows, from, to int) ([]deadLetter, error) {
	bs := &blocks{rs: rs, next: from, to: to}
	_, err := bs.advance()
	if err == nil {
		err = c.insertBlocks(ctx, table, bs)
	}
	if err == nil || !rowsAtFault(err) {
		return nil, err
	}
	if to-from == 1 {
		org, item := rs.describe(from)
		input, _ := rs.encode(from, to)
		return []deadLetter{{table: table, org: org, reason: err.Error(), item: item, block: encodeNative(input, 1)}}, nil
	}
	mid := from + (to-from)/2
	left, err := c.insertSplitting(ctx, table, rs, from, mid)
	if err != nil {
		return nil, err
	}
	right, err := c.insertSplitting(ctx, table, rs, mid, to)
	return append(left, right...), err
}

// encodeNative is a block as Native format bytes (what INSERT ... FORMAT
// Native reads), nil when it does not encode.
func encodeNative(input proto.Input, rows int) []byte {
	if input == nil {
		return nil
	}
	var buf proto.Buffer
	if (proto.Block{Columns: len(input), Rows: rows}).EncodeRawBlock(&buf, 0, input) != nil {
		return nil
	}
	return buf.Buf
}
