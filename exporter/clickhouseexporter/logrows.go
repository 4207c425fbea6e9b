package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	pdatareq "go.opentelemetry.io/collector/pdata/xpdata/request"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/wire"
)

// A log record's row (rowrequest.go) is one of:
//
//	logRowCompact, execution or node kind ('E', 'N'), org, execution id
//	(16 bytes), timestamp and observed timestamp (varint ns), then the
//	record's compact body: the execution processor's records, the bulk;
//	logRowOTLP, then the record as OTLP protobuf (a Logs of one resource,
//	scope and record): everything else, routed at insert as before.
const (
	logRowCompact byte = 1
	logRowOTLP    byte = 2

	rowExecution byte = 'E'
	rowNode      byte = 'N'
)

var (
	logsMarshaler   = &plog.ProtoMarshaler{}
	logsUnmarshaler = &plog.ProtoUnmarshaler{}
)

// convertLogs turns log records into rows.
func convertLogs(ld plog.Logs) *rowRequest {
	r := newRowRequest(logRows, ld.LogRecordCount(), 256)
	one := plog.NewLogs() // the single-record Logs of an OTLP row, reused
	for _, rl := range ld.ResourceLogs().All() {
		org := agora.Str(rl.Resource().Attributes(), agora.AttrOrgID)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				at := r.begin()
				if agora.IsCompactRecord(lr) {
					kind := rowNode
					if lr.EventName() == agora.EventExecutionRecord {
						kind = rowExecution
					}
					tid := lr.TraceID()
					r.buf = appendRowStr(append(r.buf, logRowCompact, kind), org)
					r.buf = append(r.buf, tid[:]...)
					r.buf = binary.AppendVarint(r.buf, int64(lr.Timestamp()))
					r.buf = binary.AppendVarint(r.buf, int64(lr.ObservedTimestamp()))
					r.buf = append(r.buf, lr.Body().Bytes().AsRaw()...)
				} else {
					one.ResourceLogs().RemoveIf(func(plog.ResourceLogs) bool { return true })
					orl := one.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(orl.Resource())
					osl := orl.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(osl.Scope())
					lr.CopyTo(osl.LogRecords().AppendEmpty())
					b, _ := logsMarshaler.MarshalLogs(one) // pdata's own: never fails
					r.buf = append(append(r.buf, logRowOTLP), b...)
				}
				r.endRow(at)
			}
		}
	}
	return r
}

func logsRequest(_ context.Context, ld plog.Logs) (xexporterhelper.Request, error) {
	return convertLogs(ld), nil
}

// logEncoding is the persistent queue's encoding of log requests.
func logEncoding() rowEncoding { return rowEncoding{"logs", legacyLogs} }

// legacyLogs converts an item of a queue an older version wrote: OTLP
// protobuf.
func legacyLogs(b []byte) (*rowRequest, error) {
	_, ld, err := pdatareq.UnmarshalLogs(b)
	if errors.Is(err, pdatareq.ErrInvalidFormat) {
		ld, err = logsUnmarshaler.UnmarshalLogs(b)
	}
	if err != nil {
		return nil, err
	}
	return convertLogs(ld), nil
}

// compactRow is the head of a logRowCompact row.
type compactRow struct {
	kind         byte
	org          string
	exec         uuid.UUID
	at, observed int64
	body         []byte
}

var errLogRow = errors.New("damaged log row")

func readCompactRow(row []byte) (compactRow, error) {
	r := wire.NewReader(row)
	head := r.Take(2)
	if len(head) < 2 || head[0] != logRowCompact || (head[1] != rowExecution && head[1] != rowNode) {
		return compactRow{}, errLogRow
	}
	c := compactRow{kind: head[1], org: string(r.Bytes())}
	copy(c.exec[:], r.Take(16))
	c.at, c.observed = r.Varint(), r.Varint()
	if r.Err() != nil {
		return compactRow{}, errLogRow
	}
	c.body = r.Rest()
	return c, nil
}

// version is the record's version (logItem.version).
func (c compactRow) version() time.Time {
	if c.observed != 0 {
		return time.Unix(0, c.observed).UTC()
	}
	return time.Unix(0, c.at).UTC()
}

// record is the row as the log record it came from: a dead letter's
// readable copy.
func (c compactRow) record() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(agora.AttrOrgID, c.org)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetEventName(agora.EventNodeExecutionRecord)
	if c.kind == rowExecution {
		lr.SetEventName(agora.EventExecutionRecord)
	}
	lr.SetTraceID(pcommon.TraceID(c.exec))
	lr.SetTimestamp(pcommon.Timestamp(c.at))
	lr.SetObservedTimestamp(pcommon.Timestamp(c.observed))
	lr.Body().SetEmptyBytes().FromRaw(c.body)
	return ld
}

func describeCompactRow(row []byte) (string, string) {
	c, err := readCompactRow(row)
	if err != nil {
		return "", err.Error()
	}
	b, _ := (&plog.JSONMarshaler{}).MarshalLogs(c.record())
	return c.org, string(b)
}

// recordRows are one record table's rows of a request: records routed
// from OTLP rows, decoded already, then compact rows, decoded a chunk at a
// time as they are encoded (a batch never holds all its records decoded).
// A record decoded from a compact row shares the request's bytes; the
// request's buffer is released only after all its rows are stored.
type recordRows[R any] struct {
	eager   []record[R]
	req     *rowRequest
	compact []int // rows of req
	decode  func(exec uuid.UUID, body []byte) (R, error)
	cols    columns[record[R]]
	window  agora.TimeWindow
	now     time.Time
}

func (r *recordRows[R]) len() int { return len(r.eager) + len(r.compact) }

func (r *recordRows[R]) at(i int) (record[R], error) {
	if i < len(r.eager) {
		return r.eager[i], nil
	}
	row := r.req.row(r.compact[i-len(r.eager)])
	c, err := readCompactRow(row)
	if err != nil {
		return record[R]{}, err
	}
	rec, err := r.decode(c.exec, c.body)
	if err != nil {
		return record[R]{}, err
	}
	return record[R]{rec: rec, orgID: c.org, ver: c.version(), row: row}, nil
}

func (r *recordRows[R]) encode(from, to int) (proto.Input, error) {
	r.cols.reset()
	for i := from; i < to; i++ {
		it, err := r.at(i)
		if err != nil {
			return nil, err
		}
		r.cols.append(it, r.window, r.now)
	}
	return r.cols.input(), nil
}

func (r *recordRows[R]) describe(i int) (string, string) {
	if i < len(r.eager) {
		return r.eager[i].describe()
	}
	return describeCompactRow(r.req.row(r.compact[i-len(r.eager)]))
}
