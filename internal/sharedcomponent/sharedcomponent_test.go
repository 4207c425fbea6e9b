package sharedcomponent

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
)

type counting struct{ starts, stops *int }

func (c counting) Start(context.Context, component.Host) error { *c.starts++; return nil }
func (c counting) Shutdown(context.Context) error              { *c.stops++; return nil }

func TestOneInstancePerKeyStartedAndStoppedOnce(t *testing.T) {
	// prepare
	m := NewMap[string, counting]()
	var starts, stops, created int
	create := func() (counting, error) { created++; return counting{&starts, &stops}, nil }
	// test
	a, err := m.LoadOrStore("cfg", create)
	require.NoError(t, err)
	b, err := m.LoadOrStore("cfg", create)
	require.NoError(t, err)
	for _, c := range []*Component[counting]{a, b} {
		require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	}
	for _, c := range []*Component[counting]{a, b} {
		require.NoError(t, c.Shutdown(context.Background()))
	}
	// verify
	assert.Same(t, a, b)
	assert.Equal(t, 1, created)
	assert.Equal(t, 1, starts)
	assert.Equal(t, 1, stops)
	c, err := m.LoadOrStore("cfg", create)
	require.NoError(t, err)
	assert.NotSame(t, a, c, "after shutdown a reloaded config gets a new instance")
}

func TestCreateErrorIsNotStored(t *testing.T) {
	m := NewMap[string, counting]()
	_, err := m.LoadOrStore("cfg", func() (counting, error) { return counting{}, errors.New("bad") })
	require.Error(t, err)
	var starts, stops int
	c, err := m.LoadOrStore("cfg", func() (counting, error) { return counting{&starts, &stops}, nil })
	require.NoError(t, err)
	assert.NoError(t, c.Shutdown(context.Background()), "shutdown without start")
	assert.Equal(t, 0, starts)
}
