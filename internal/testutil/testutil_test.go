package testutil

import (
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFreePortsAreDistinctAndFree(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p := FreePort(t)
		assert.False(t, seen[p], "a port is handed out once while its test runs")
		seen[p] = true
		assert.GreaterOrEqual(t, p, portLow)
		assert.Less(t, p, portHigh)
	}
}

func TestProxyCutAndRestore(t *testing.T) {
	// prepare: an echo server behind the proxy
	l, err := net.Listen("tcp", FreeAddr(t))
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	p := NewProxy(t, l.Addr().String())
	echo := func() error {
		c, err := net.Dial("tcp", p.Addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := c.Write([]byte("hi")); err != nil {
			return err
		}
		b := make([]byte, 2)
		_, err = io.ReadFull(c, b)
		return err
	}
	// test + verify
	require.NoError(t, echo())
	p.Cut()
	assert.Error(t, echo(), "cut: nothing gets through")
	p.Restore()
	assert.NoError(t, echo())
}
