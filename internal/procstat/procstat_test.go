package procstat

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOwnProcess(t *testing.T) {
	before, err := CPUSeconds(os.Getpid())
	require.NoError(t, err)
	x := 0
	for i := range 200_000_000 {
		x += i & 3
	}
	after, err := CPUSeconds(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, after, before, "busy work costs CPU (%d)", x)
	rss, err := PeakRSS(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, rss, int64(1<<20), "a Go test binary holds more than a MiB")
	_, err = CPUSeconds(1 << 30)
	assert.Error(t, err)
}
