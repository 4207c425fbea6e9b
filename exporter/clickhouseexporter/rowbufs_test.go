package clickhouseexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
)

// TestBatchRefersToItsRequests: a batch holds the chunks of the requests
// merged into it, not a copy of their rows; its size is theirs; a batch
// or a part of one marshals to exactly its own rows.
func TestBatchRefersToItsRequests(t *testing.T) {
	ctx := context.Background()
	items := exporterhelper.RequestSizerTypeItems
	a, b := testConv.convert(namedSpans("a", 3)), testConv.convert(namedSpans("b", 4))
	sizeA, sizeB := a.BytesSize(), b.BytesSize()
	out, err := a.MergeSplit(ctx, 0, items, b)
	require.NoError(t, err)
	batch := out[0].(*rowRequest)
	require.Len(t, batch.more, 1)
	assert.Same(t, &b.buf[0], &batch.more[0][0], "b's rows are where b put them")
	assert.Equal(t, sizeA+sizeB-1, batch.BytesSize())
	assert.Equal(t, 7, batch.ItemsCount())

	enc := spanEncoding(testConv)
	roundTrip := func(r xexporterhelper.Request) []string {
		b, err := enc.Marshal(ctx, r)
		require.NoError(t, err)
		assert.Len(t, b, r.BytesSize())
		_, back, err := enc.Unmarshal(b)
		require.NoError(t, err)
		return names(t, back.(*rowRequest))
	}
	assert.Equal(t, []string{"a-0", "a-1", "a-2", "b-0", "b-1", "b-2", "b-3"}, roundTrip(batch))

	parts, err := batch.MergeSplit(ctx, 4, items, nil)
	require.NoError(t, err)
	require.Len(t, parts, 2)
	assert.Equal(t, []string{"a-0", "a-1", "a-2", "b-0"}, roundTrip(parts[0]))
	assert.Equal(t, []string{"b-1", "b-2", "b-3"}, roundTrip(parts[1]))

	// A converted request is its own chunk: marshalled without a copy.
	single := testConv.convert(namedSpans("c", 2))
	m, err := enc.Marshal(ctx, single)
	require.NoError(t, err)
	assert.Same(t, &single.buf[0], &m[0])
}
