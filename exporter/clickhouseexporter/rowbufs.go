package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Row requests' buffers: reused rather than left to the garbage collector,
// and sized so that a batch is copied once as requests merge into it.

// rowKind is what the row requests of one signal share: the buffers of
// requests the queue has stored and of batches sent, and the size of the
// last batch sent. Spans and log records keep theirs apart: their batches
// differ in size, and a buffer too small for the next batch is dropped.
type rowKind struct {
	arrivals, batches   bufList
	sentRows, sentBytes atomic.Int64
}

var (
	spanRows  = newRowKind()
	logRows   = newRowKind()
	otherRows = newRowKind() // requests built without one (tests)
)

// newRowKind keeps a few arrivals (one per concurrent request) and one sent
// batch: every idle batch buffer is a batch's worth of memory the garbage
// collector counts as live (a second one measured no faster).
func newRowKind() *rowKind {
	return &rowKind{arrivals: bufList{make(chan []byte, 8)}, batches: bufList{make(chan []byte, 1)}}
}

func (r *rowRequest) rowKind() *rowKind {
	if r.kind == nil {
		return otherRows
	}
	return r.kind
}

// newRowRequest reserves room for n rows of about rowSize bytes, in a
// recycled buffer of kind's arrivals when one is that large.
func newRowRequest(kind *rowKind, n, rowSize int) *rowRequest {
	buf := kind.arrivals.get(1 + n*rowSize)
	return &rowRequest{buf: append(buf, rowsV1), starts: make([]int, 0, n), owned: true, kind: kind}
}

// release hands r's buffer back once its rows are stored, and notes the
// batch's size; r is not used again (exporterhelper retries only a failed
// request).
func (r *rowRequest) release() {
	k := r.rowKind()
	k.sentRows.Store(int64(len(r.starts)))
	k.sentBytes.Store(int64(len(r.buf)))
	if r.owned {
		k.batches.put(r.buf)
	}
	r.buf, r.starts = nil, nil
}

// batchRoom is the capacity a batch takes when need bytes (rows rows)
// outgrow it: the bytes the last batch was sent with (of at most maxSize
// items or bytes), and an eighth. The batcher sends a batch once it
// reaches its minimum, so this is about what the batch will hold: it is
// copied once, instead of at every doubling, and holds little more than it
// needs. Before a batch was sent, beyond that size, or past maxBatchRoom,
// it doubles.
func (k *rowKind) batchRoom(need, maxSize int, szt exporterhelper.RequestSizerType) int {
	target, sentRows := int(k.sentBytes.Load()), int(k.sentRows.Load())
	switch {
	case maxSize <= 0:
	case szt == exporterhelper.RequestSizerTypeBytes:
		target = min(target, maxSize)
	case sentRows > maxSize:
		target = target / sentRows * maxSize
	}
	// Rounded up to whole MiB, so the buffer of a batch sent before fits
	// the next one although their rows differ a little.
	if full := (target + target/8 + 1<<20 - 1) &^ (1<<20 - 1); target > 0 && full > need && full <= maxBatchRoom {
		return full
	}
	return 2 * need
}

// maxBatchRoom bounds what batchRoom reserves ahead of the rows.
const maxBatchRoom = 64 << 20

type bufList struct{ idle chan []byte }

// get is an empty buffer with room for n bytes.
func (l bufList) get(n int) []byte {
	select {
	case b := <-l.idle:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, n)
}

func (l bufList) put(b []byte) {
	select {
	case l.idle <- b[:0]:
	default:
	}
}

// arrivals recycles the buffer a request was converted into once
// exporterhelper no longer holds it: a persistent queue has copied it to
// storage when ConsumeTraces returns, and without a queue it has been sent.
// Only a memory queue keeps the request itself; then nothing is recycled.
// The converter finds the arrival in the context ConsumeTraces was given.
type arrivals struct {
	kind *rowKind
	on   bool
}

type arrivalKey struct{}

// arrival is one ConsumeTraces call's request.
type arrival struct{ req *rowRequest }

// hold notes req as ctx's arrival, if ctx carries one.
func hold(ctx context.Context, req *rowRequest) {
	if a, ok := ctx.Value(arrivalKey{}).(*arrival); ok {
		a.req = req
	}
}

// consume runs next with an arrival in ctx, then recycles its request's
// buffer. A request that was sent (no queue) was released by its insert.
func (a arrivals) consume(ctx context.Context, next func(context.Context) error) error {
	if !a.on {
		return next(ctx)
	}
	var in arrival
	err := next(context.WithValue(ctx, arrivalKey{}, &in))
	if in.req != nil && in.req.buf != nil {
		a.kind.arrivals.put(in.req.buf)
		in.req.buf, in.req.starts = nil, nil
	}
	return err
}

// keepsRequests reports whether the sending queue holds requests in memory
// (a queue without storage).
func keepsRequests(q configoptional.Optional[exporterhelper.QueueBatchConfig]) bool {
	return q.HasValue() && q.Get().StorageID == nil
}
