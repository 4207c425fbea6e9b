package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Row requests' buffers: a span request's is reused rather than left to
// the garbage collector.

// rowKind is what the row requests of one signal share: the buffers of
// requests the queue has stored, for the next ones to be converted into.
type rowKind struct{ arrivals bufList }

var (
	spanRows = newRowKind()
	logRows  = newRowKind()
)

// newRowKind keeps a few arrivals: one per concurrent request.
func newRowKind() *rowKind { return &rowKind{arrivals: bufList{make(chan []byte, 8)}} }

// newRowRequest reserves room for n rows of about rowSize bytes, in a
// recycled buffer of kind's arrivals when one is that large.
func newRowRequest(kind *rowKind, n, rowSize int) *rowRequest {
	buf := kind.arrivals.get(1 + n*rowSize)
	return &rowRequest{buf: append(buf, rowsV1), refs: make([]rowRef, 0, n), bytes: 1}
}

// release drops r's rows once they are stored; r is not used again
// (exporterhelper retries only a failed request). Its own chunk stays for
// arrivals.consume: a request sent without a queue is recycled there.
func (r *rowRequest) release() { r.more, r.refs = nil, nil }

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
// buffer: stored by a persistent queue, or sent (no queue).
func (a arrivals) consume(ctx context.Context, next func(context.Context) error) error {
	if !a.on {
		return next(ctx)
	}
	var in arrival
	err := next(context.WithValue(ctx, arrivalKey{}, &in))
	if in.req != nil && in.req.buf != nil {
		a.kind.arrivals.put(in.req.buf)
		in.req.buf, in.req.refs = nil, nil
	}
	return err
}

// keepsRequests reports whether the sending queue holds requests in memory
// (a queue without storage).
func keepsRequests(q configoptional.Optional[exporterhelper.QueueBatchConfig]) bool {
	return q.HasValue() && q.Get().StorageID == nil
}
