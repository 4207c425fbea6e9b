package clickhouseexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// A batch's buffer is sized for the batch it will be: the size the last
// batch was sent at, at the rows' average size; before the first batch is
// sent and past that size it doubles.
func TestBatchRoom(t *testing.T) {
	items, bytes := exporterhelper.RequestSizerTypeItems, exporterhelper.RequestSizerTypeBytes
	k := newRowKind()
	// Nothing sent yet: nothing to go by (maxSize may be far more than a
	// batch holds).
	assert.Equal(t, 600_000, k.batchRoom(300_000, 1000, 16_000, items))
	assert.Equal(t, 600_000, k.batchRoom(300_000, 1000, 1<<20, bytes))

	sent := &rowRequest{kind: k, buf: make([]byte, 2<<20), starts: make([]int, 8000), owned: true}
	sent.release()
	// 8,000 rows of 300 bytes (2.4 MB), an eighth more: 3 MiB.
	assert.Equal(t, 3<<20, k.batchRoom(300_000, 1000, 16_000, items))
	assert.Equal(t, 3<<20, k.batchRoom(300_000, 1000, 16<<20, bytes), "2 MiB sent, an eighth more")
	// A batch already past that size doubles.
	assert.Equal(t, 2*(3<<20+1), k.batchRoom(3<<20+1, 10_000, 16_000, items))
	// A sent batch larger than maxSize (split later) counts as maxSize:
	// 16,000 rows of 300 bytes, an eighth more, in whole MiB.
	big := &rowRequest{kind: k, buf: make([]byte, 10), starts: make([]int, 50_000)}
	big.release()
	assert.Equal(t, 6<<20, k.batchRoom(300_000, 1000, 16_000, items))
	assert.Equal(t, 17<<20, k.batchRoom(300_000, 1000, 0, items), "no maximum: the last batch's 50,000 rows")
	// Never more than maxBatchRoom ahead of the rows.
	assert.Equal(t, 2*300_000, k.batchRoom(300_000, 10, 1_000_000, items))

	assert.Len(t, k.batches.idle, 1, "the sent batch's own buffer is kept for the next one")
}
