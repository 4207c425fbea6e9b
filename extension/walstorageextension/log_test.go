package walstorageextension

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

func openTest(t *testing.T, dir string, maxSize int64) *log {
	t.Helper()
	l, err := openLog(dir, maxSize, false, zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close(context.Background()) })
	return l
}

func get(t *testing.T, l *log, key string) []byte {
	t.Helper()
	v, err := l.Get(context.Background(), key)
	require.NoError(t, err)
	return v
}

func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"+segmentExt))
	require.NoError(t, err)
	return names
}

func TestSetGetDeleteBatch(t *testing.T) {
	ctx := context.Background()
	l := openTest(t, t.TempDir(), 1<<20)
	assert.Nil(t, get(t, l, "missing"))
	require.NoError(t, l.Set(ctx, "a", []byte("1")))
	require.NoError(t, l.Set(ctx, "empty", []byte{}))
	assert.Equal(t, []byte("1"), get(t, l, "a"))
	assert.Equal(t, []byte{}, get(t, l, "empty"), "an empty value is a value")

	// In order, inside one batch: a get sees the batch's earlier writes.
	g1, g2, g3 := storage.GetOperation("a"), storage.GetOperation("b"), storage.GetOperation("a")
	require.NoError(t, l.Batch(ctx, g1, storage.SetOperation("b", []byte("2")), g2, storage.DeleteOperation("a"), g3))
	assert.Equal(t, []byte("1"), g1.Value)
	assert.Equal(t, []byte("2"), g2.Value)
	assert.Nil(t, g3.Value)
	assert.Nil(t, get(t, l, "a"))

	// A returned value is the caller's: changing it changes nothing stored.
	v := get(t, l, "b")
	v[0] = 'x'
	assert.Equal(t, []byte("2"), get(t, l, "b"))
	require.NoError(t, l.Delete(ctx, "never-set"), "deleting a missing key is not an error")

	// A written value is copied: its writer may reuse the bytes once the
	// write returns (the execution processor's journal and the exporter's
	// queue do).
	w := []byte("3")
	require.NoError(t, l.Batch(ctx, storage.SetOperation("c", w)))
	w[0] = 'x'
	assert.Equal(t, []byte("3"), get(t, l, "c"))

	require.NoError(t, l.Close(ctx))
	assert.ErrorIs(t, l.Set(ctx, "c", nil), errClosed)
}

func TestReopenKeepsWhatWasWritten(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openTest(t, dir, 1<<20)
	for i := range 100 {
		require.NoError(t, l.Set(ctx, fmt.Sprint(i), []byte(fmt.Sprint("value", i))))
	}
	for i := 0; i < 100; i += 2 {
		require.NoError(t, l.Delete(ctx, fmt.Sprint(i)))
	}
	require.NoError(t, l.Set(ctx, "1", []byte("overwritten")))
	// No Close: what a kill -9 leaves.
	l2, err := openLog(dir, 1<<20, false, zap.NewNop())
	require.ErrorContains(t, err, "in use by another process", "one process per client directory")
	assert.Nil(t, l2)
	l.closeFiles()

	l = openTest(t, dir, 1<<20)
	assert.Equal(t, []byte("overwritten"), get(t, l, "1"))
	for i := 2; i < 100; i++ {
		if i%2 == 0 {
			assert.Nil(t, get(t, l, fmt.Sprint(i)), i)
		} else {
			assert.Equal(t, []byte(fmt.Sprint("value", i)), get(t, l, fmt.Sprint(i)))
		}
	}
}

// A write cut short by a crash: the unfinished batch is gone whole, every
// batch before it stays, and the log takes writes again.
func TestTornWriteDiscardsOnlyTheUnfinishedBatch(t *testing.T) {
	ctx := context.Background()
	for _, cut := range []int{1, headerSize, headerSize + 3, -1} {
		t.Run(fmt.Sprint("cut ", cut), func(t *testing.T) {
			dir := t.TempDir()
			l := openTest(t, dir, 1<<20)
			require.NoError(t, l.Set(ctx, "kept", []byte("before")))
			before := l.active().size
			require.NoError(t, l.Batch(ctx,
				storage.SetOperation("x", []byte("first of the batch")),
				storage.SetOperation("kept", []byte("changed by the batch")),
				storage.SetOperation("y", []byte("last of the batch"))))
			after := l.active().size
			require.NoError(t, l.Close(ctx))

			path := segmentFiles(t, dir)[0]
			size := before + int64(cut)
			if cut < 0 { // everything but the last byte: the commit record is incomplete
				size = after - 1
			}
			require.NoError(t, os.Truncate(path, size))

			l = openTest(t, dir, 1<<20)
			assert.Equal(t, []byte("before"), get(t, l, "kept"))
			assert.Nil(t, get(t, l, "x"), "a batch is stored whole or not at all")
			assert.Nil(t, get(t, l, "y"))
			st, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, before, st.Size(), "the unfinished batch is cut off")
			require.NoError(t, l.Set(ctx, "z", []byte("after")))
			require.NoError(t, l.Close(ctx))
			l = openTest(t, dir, 1<<20)
			assert.Equal(t, []byte("after"), get(t, l, "z"))
		})
	}
}

func TestDamagedRecordEndsTheSegment(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openTest(t, dir, 1<<20)
	require.NoError(t, l.Set(ctx, "a", []byte("aaaa")))
	end := l.active().size
	require.NoError(t, l.Set(ctx, "b", []byte("bbbb")))
	require.NoError(t, l.Close(ctx))
	path := segmentFiles(t, dir)[0]
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	b[len(b)-1] ^= 0xff // a flipped bit in b's value
	require.NoError(t, os.WriteFile(path, b, 0o600))

	l = openTest(t, dir, 1<<20)
	assert.Equal(t, []byte("aaaa"), get(t, l, "a"))
	assert.Nil(t, get(t, l, "b"), "a record whose checksum fails is not read as data")
	assert.Equal(t, end, l.active().size)
}

// A queue's traffic (write, read, delete, and a few keys rewritten all the
// time): segments are deleted as they die, and the disk stays bounded.
func TestQueueTrafficKeepsTheDiskBounded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const seg = 1 << 20
	l := openTest(t, dir, seg)
	item := make([]byte, 10_000)
	for i := range 2000 { // 20 MB through the queue, 20 segments' worth
		require.NoError(t, l.Batch(ctx, storage.SetOperation(fmt.Sprint("item", i), item), storage.SetOperation("wi", []byte(fmt.Sprint(i+1)))))
		if i >= 10 { // ten items in flight
			require.NoError(t, l.Batch(ctx, storage.SetOperation("ri", []byte(fmt.Sprint(i-9))), storage.DeleteOperation(fmt.Sprint("item", i-10))))
		}
	}
	assert.LessOrEqual(t, len(segmentFiles(t, dir)), 3)
	assert.Less(t, l.diskBytes, int64(3*seg))
	assert.LessOrEqual(t, l.diskBytes, 2*l.liveBytes+3*seg)
	require.NoError(t, l.Close(ctx))

	l = openTest(t, dir, seg)
	assert.Equal(t, []byte("2000"), get(t, l, "wi"))
	assert.Equal(t, []byte("1990"), get(t, l, "ri"))
	assert.Equal(t, 12, l.index.len())
	assert.Nil(t, get(t, l, "item1989"))
	assert.Equal(t, item, get(t, l, "item1990"))
}

// A key that lives for ever (an execution that never ends) must not keep
// every later segment on disk: its record is copied forward. And a key
// deleted in a later segment must not come back when older segments go.
func TestLongLivedKeysAreCopiedForwardAndDeletesStay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const seg = 1 << 20
	l := openTest(t, dir, seg)
	require.NoError(t, l.Set(ctx, "forever", []byte("pinned")))
	require.NoError(t, l.Set(ctx, "deleted-later", []byte("gone")))
	chunk := make([]byte, 50_000)
	for i := range 400 { // 20 MB of short-lived keys
		k := fmt.Sprint("short", i)
		require.NoError(t, l.Set(ctx, k, chunk))
		require.NoError(t, l.Delete(ctx, k))
		if i == 10 {
			require.NoError(t, l.Delete(ctx, "deleted-later"))
		}
	}
	assert.LessOrEqual(t, len(segmentFiles(t, dir)), 5, "the pinned segment's record was copied forward")
	assert.LessOrEqual(t, l.diskBytes, 2*l.liveBytes+3*seg)
	require.NoError(t, l.Close(ctx))

	l = openTest(t, dir, seg)
	assert.Equal(t, []byte("pinned"), get(t, l, "forever"))
	assert.Nil(t, get(t, l, "deleted-later"))
	assert.Equal(t, 1, l.index.len())
}

func TestWalkVisitsEveryKeyInOrderAndAppliesItsOperations(t *testing.T) {
	ctx := context.Background()
	l := openTest(t, t.TempDir(), 1<<20)
	for _, k := range []string{"c", "a", "b", "d"} {
		require.NoError(t, l.Set(ctx, k, []byte("v"+k)))
	}
	var seen []string
	require.NoError(t, l.Walk(ctx, func(k string, v []byte) ([]*storage.Operation, error) {
		seen = append(seen, k+"="+string(v))
		if k == "b" {
			return []*storage.Operation{storage.DeleteOperation("b")}, nil
		}
		if k == "c" {
			return nil, storage.SkipAll
		}
		return nil, nil
	}))
	assert.Equal(t, []string{"a=va", "b=vb", "c=vc"}, seen)
	assert.Nil(t, get(t, l, "b"))
	assert.Equal(t, []byte("vd"), get(t, l, "d"))
}

func TestRefusesToStartBesideAFileStorageDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exporter_agora_clickhouse__traces")
	require.NoError(t, os.WriteFile(path, []byte("bbolt"), 0o600))
	_, err := openLog(path, 1<<20, false, zap.NewNop())
	require.ErrorContains(t, err, "is a file, not a wal_storage directory")
	b, _ := os.ReadFile(path)
	assert.Equal(t, []byte("bbolt"), b, "left as it was")
}

// Random writes, deletes and batches against a map, with crashes (files
// closed as a kill -9 leaves them, no Close) and small segments, so that
// rotation, deletion and copying forward all happen: after every reopen
// the log holds exactly what the map holds.
func TestRandomTrafficWithCrashesMatchesAModel(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const seg = 1 << 20
	rng := rand.New(rand.NewPCG(1, 2))
	model := map[string][]byte{}
	l, err := openLog(dir, seg, false, zap.NewNop())
	require.NoError(t, err)
	value := func() []byte {
		v := make([]byte, rng.IntN(20_000))
		for i := range v {
			v[i] = byte(rng.IntN(256))
		}
		return v
	}
	for step := range 3000 {
		var ops []*storage.Operation
		for range 1 + rng.IntN(4) {
			n := rng.IntN(60)
			k := fmt.Sprint("k", n)
			switch n % 3 { // keys held inline in the index, at its limit, and beyond it
			case 1:
				k = strings.Repeat("x", shortKeyLen-len(k)) + k
			case 2:
				k = strings.Repeat("y", shortKeyLen+1+(n/3)%3-len(k)) + k // 32, 33 or 34 bytes
			}
			if rng.IntN(3) == 0 {
				ops = append(ops, storage.DeleteOperation(k))
			} else {
				ops = append(ops, storage.SetOperation(k, value()))
			}
		}
		require.NoError(t, l.Batch(ctx, ops...))
		for _, op := range ops {
			if op.Type == storage.Delete {
				delete(model, op.Key)
			} else {
				model[op.Key] = op.Value
			}
		}
		if step%250 == 249 {
			l.closeFiles()
			l, err = openLog(dir, seg, false, zap.NewNop())
			require.NoError(t, err)
			require.Equal(t, len(model), l.index.len(), "step %d", step)
			for k, v := range model {
				require.Equal(t, v, get(t, l, k), "step %d key %s", step, k)
			}
			var walked []string
			require.NoError(t, l.Walk(ctx, func(k string, _ []byte) ([]*storage.Operation, error) {
				walked = append(walked, k)
				return nil, nil
			}))
			assert.Equal(t, slices.Sorted(maps.Keys(model)), walked, "step %d: every key, in order", step)
			require.LessOrEqual(t, l.diskBytes, 2*l.liveBytes+3*seg, "step %d", step)
		}
	}
	require.NoError(t, l.Close(ctx))
}

// With fsync every batch is written through (and read back after a reopen)
// across segment changes.
func TestFsyncAcrossSegments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := openLog(dir, 1<<20, true, zap.NewNop())
	require.NoError(t, err)
	v := make([]byte, 300_000)
	for i := range 10 {
		require.NoError(t, l.Set(ctx, fmt.Sprint(i), v))
	}
	assert.Greater(t, len(segmentFiles(t, dir)), 1)
	l.closeFiles()
	l = openTest(t, dir, 1<<20)
	for i := range 10 {
		assert.Equal(t, v, get(t, l, fmt.Sprint(i)))
	}
}
