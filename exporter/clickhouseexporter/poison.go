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

// deadLetter is a row ClickHouse refused.
type deadLetter struct {
	table, org, reason, item string
	block                    []byte
}

// insertSplitting inserts rows [from, to); a refusal about the rows splits
// them. It returns the rows refused alone, or an error to retry the whole.
func (c *client) insertSplitting(ctx context.Context, table string, rs rows, from, to int) ([]deadLetter, error) {
	input, err := rs.encode(from, to)
	if err == nil {
		err = c.insertBlock(ctx, table, input, to-from)
	} else {
		err = errBadBlock{err}
	}
	if err == nil || !rowsAtFault(err) {
		return nil, err
	}
	if to-from == 1 {
		org, item := rs.describe(from)
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
