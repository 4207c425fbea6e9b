package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import "iter"

// smallMax entries a smallMap keeps in its slice: an agora_tracer
// execution has a few nodes and a few dozen spans, where a scan of one
// slice beats hashing and allocates a fraction of a Go map's groups.
const smallMax = 32

// smallMap is a map that holds its first smallMax entries in a slice, in
// the order they were set, and all of them in a Go map beyond.
type smallMap[K comparable, V any] struct {
	small []entryKV[K, V]
	big   map[K]V
	first int // the slice's capacity at its first set: one allocation for most
}

type entryKV[K comparable, V any] struct {
	k K
	v V
}

func (m *smallMap[K, V]) get(k K) (V, bool) {
	if m.big != nil {
		v, ok := m.big[k]
		return v, ok
	}
	for i := range m.small {
		if m.small[i].k == k {
			return m.small[i].v, true
		}
	}
	var zero V
	return zero, false
}

func (m *smallMap[K, V]) set(k K, v V) {
	if m.big != nil {
		m.big[k] = v
		return
	}
	for i := range m.small {
		if m.small[i].k == k {
			m.small[i].v = v
			return
		}
	}
	if m.small == nil && m.first > 0 {
		m.small = make([]entryKV[K, V], 0, m.first)
	}
	if len(m.small) < smallMax {
		m.small = append(m.small, entryKV[K, V]{k, v})
		return
	}
	m.big = make(map[K]V, 2*smallMax)
	for _, e := range m.small {
		m.big[e.k] = e.v
	}
	m.big[k] = v
	m.small = nil
}

// del removes k, keeping the order of the rest.
func (m *smallMap[K, V]) del(k K) {
	if m.big != nil {
		delete(m.big, k)
		return
	}
	for i := range m.small {
		if m.small[i].k == k {
			m.small = append(m.small[:i], m.small[i+1:]...)
			return
		}
	}
}

func (m *smallMap[K, V]) len() int {
	if m.big != nil {
		return len(m.big)
	}
	return len(m.small)
}

// all yields every entry: in the order they were set while small.
func (m *smallMap[K, V]) all() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.big != nil {
			for k, v := range m.big {
				if !yield(k, v) {
					return
				}
			}
			return
		}
		for _, e := range m.small {
			if !yield(e.k, e.v) {
				return
			}
		}
	}
}
