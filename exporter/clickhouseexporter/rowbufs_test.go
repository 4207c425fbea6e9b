package clickhouseexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// A batch's buffer is sized for the batch it will be: the bytes the last
// batch was sent with; before the first batch is sent and past that size
// it doubles.
func TestBatchRoom(t *testing.T) {
	items, bytes := exporterhelper.RequestSizerTypeItems, exporterhelper.RequestSizerTypeBytes
	k := newRowKind()
	// Nothing sent yet: nothing to go by (maxSize may be far more than a
	// batch holds).
	assert.Equal(t, 600_000, k.batchRoom(300_000, 16_000, items))
	assert.Equal(t, 600_000, k.batchRoom(300_000, 1<<20, bytes))

	sent := &rowRequest{kind: k, buf: make([]byte, 2<<20), starts: make([]int, 8000), owned: true}
	sent.release()
	// 2 MiB sent, an eighth more, in whole MiB: 3 MiB, whatever the first
	// rows of the new batch weigh.
	assert.Equal(t, 3<<20, k.batchRoom(300_000, 16_000, items))
	assert.Equal(t, 3<<20, k.batchRoom(300_000, 0, items), "no maximum")
	assert.Equal(t, 3<<20, k.batchRoom(300_000, 16<<20, bytes))
	assert.Equal(t, 2<<20, k.batchRoom(300_000, 1<<20, bytes), "at most maxSize bytes, an eighth more")
	// A batch already past that size doubles.
	assert.Equal(t, 2*(3<<20+1), k.batchRoom(3<<20+1, 16_000, items))
	// A sent batch of more than maxSize items (split later) counts as
	// maxSize of its rows: 4,000 of 8,000 rows of 2 MiB, an eighth more.
	assert.Equal(t, 2<<20, k.batchRoom(300_000, 4_000, items))
	// Never more than maxBatchRoom ahead of the rows.
	huge := &rowRequest{kind: k, buf: make([]byte, 100<<20), starts: make([]int, 10)}
	huge.release()
	assert.Equal(t, 600_000, k.batchRoom(300_000, 16_000, items))

	assert.Len(t, k.batches.idle, 1, "the sent batch's own buffer is kept for the next one")
}
