// Package testutil holds what tests of several packages share: ports that
// no other test takes, a host that records component status and holds
// extensions, and a TCP proxy that can cut a connection to simulate outages.
package testutil

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// Ports are handed out below the kernel's ephemeral range (32768+), so no
// listener on port 0 elsewhere can take one between here and its use.
const portLow, portHigh = 20000, 32000

// FreeAddr returns 127.0.0.1:port for a server the test starts later (a
// collector process, an engine). `go test` runs packages in parallel
// processes, so listening on :0 and closing races with them; instead the
// port is reserved with an exclusive lock file, shared by every test
// process of this machine, until the test ends.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(FreePort(t))
}

// FreePort is FreeAddr's port.
func FreePort(t testing.TB) int {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "agora-test-ports")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatalf("port locks: %v", err)
	}
	for range 1000 {
		port := portLow + rand.IntN(portHigh-portLow)
		f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(port)), os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			t.Fatalf("port lock: %v", err)
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			f.Close() // another test holds it
			continue
		}
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			l.Close()
			t.Cleanup(func() { f.Close() }) // closing releases the lock
			return port
		}
		f.Close() // a server outside the tests uses it
	}
	t.Fatalf("no free port in %d-%d", portLow, portHigh)
	return 0
}
