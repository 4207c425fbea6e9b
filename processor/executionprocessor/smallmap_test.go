package executionprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSmallMapIsAMap: set, get, len and all agree with a Go map through
// the move from the slice to the map, and keep the set order while small.
func TestSmallMapIsAMap(t *testing.T) {
	m := smallMap[int, int]{first: 4}
	want := map[int]int{}
	for i := range 3 * smallMax {
		m.set(i, i)
		m.set(i/2, -i) // overwrites an earlier key
		want[i], want[i/2] = i, -i
		require.Equal(t, len(want), m.len())
		if i == smallMax/2 {
			var order []int
			for k := range m.all() {
				order = append(order, k)
			}
			assert.IsIncreasing(t, order, "set order while small")
		}
	}
	got := map[int]int{}
	for k, v := range m.all() {
		got[k] = v
	}
	assert.Equal(t, want, got)
	for k, v := range want {
		x, ok := m.get(k)
		assert.True(t, ok)
		assert.Equal(t, v, x)
	}
	_, ok := m.get(-1)
	assert.False(t, ok)
	for _, small := range []bool{true, false} {
		d := smallMap[int, int]{}
		n := 3 * smallMax
		if small {
			n = smallMax / 2
		}
		for i := range n {
			d.set(i, i)
		}
		for i := 0; i < n; i += 2 {
			d.del(i)
		}
		d.del(-1) // absent: nothing
		var left []int
		for k := range d.all() {
			left = append(left, k)
		}
		assert.Len(t, left, n/2, "small %v", small)
		for _, k := range left {
			assert.Equal(t, 1, k%2, "only even keys were deleted")
		}
		if small {
			assert.IsIncreasing(t, left, "del keeps the order")
		}
	}
	var zero smallMap[string, bool] // no first: append's growth
	zero.set("a", true)
	v, ok := zero.get("a")
	assert.True(t, v && ok)
}
