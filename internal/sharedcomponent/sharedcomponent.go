// Package sharedcomponent lets the pipelines of one component id share one
// instance, as the OTLP receiver's traces and logs pipelines share a server
// (contrib's internal/sharedcomponent does the same).
package sharedcomponent

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// Map holds one component per key; the key is the component's config, which
// the collector creates once per component id.
type Map[K comparable, V component.Component] struct {
	mu         sync.Mutex
	components map[K]*Component[V]
}

// NewMap returns an empty map.
func NewMap[K comparable, V component.Component]() *Map[K, V] {
	return &Map[K, V]{components: map[K]*Component[V]{}}
}

// LoadOrStore returns the key's component, calling create on first use.
func (m *Map[K, V]) LoadOrStore(key K, create func() (V, error)) (*Component[V], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.components[key]; ok {
		return c, nil
	}
	v, err := create()
	if err != nil {
		return nil, err
	}
	c := &Component[V]{component: v}
	c.forget = func() {
		m.mu.Lock()
		delete(m.components, key)
		m.mu.Unlock()
	}
	m.components[key] = c
	return c, nil
}

// Component starts and shuts down its component once, however many
// pipelines hold it. Shutdown forgets it, so a reloaded config builds anew.
type Component[V component.Component] struct {
	component           V
	forget              func()
	startOnce, stopOnce sync.Once
	startErr, stopErr   error
}

// Unwrap returns the shared component.
func (c *Component[V]) Unwrap() V { return c.component }

// Start starts the component the first time it is called.
func (c *Component[V]) Start(ctx context.Context, host component.Host) error {
	c.startOnce.Do(func() { c.startErr = c.component.Start(ctx, host) })
	return c.startErr
}

// Shutdown shuts the component down the first time it is called; it is
// safe without Start.
func (c *Component[V]) Shutdown(ctx context.Context) error {
	c.stopOnce.Do(func() {
		c.stopErr = c.component.Shutdown(ctx)
		c.forget()
	})
	return c.stopErr
}
