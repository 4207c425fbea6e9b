package testutil

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections from its own address to a target. Cut
// closes every connection and refuses new ones until Restore, which is how
// tests take a server away without stopping it.
type Proxy struct {
	Addr   string
	target string

	mu    sync.Mutex
	l     net.Listener
	conns map[net.Conn]struct{}
	t     testing.TB
}

// NewProxy listens on a free address, forwarding to target, until the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	p := &Proxy{Addr: FreeAddr(t), target: target, conns: map[net.Conn]struct{}{}, t: t}
	p.Restore()
	t.Cleanup(p.Cut)
	return p
}

// NewCutProxy is a proxy that starts cut: its target is not reachable yet.
func NewCutProxy(t testing.TB, target string) *Proxy {
	p := &Proxy{Addr: FreeAddr(t), target: target, conns: map[net.Conn]struct{}{}, t: t}
	t.Cleanup(p.Cut)
	return p
}

// Restore accepts connections again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		return
	}
	l, err := net.Listen("tcp", p.Addr)
	if err != nil {
		p.t.Fatalf("proxy listen %s: %v", p.Addr, err)
	}
	p.l = l
	go p.serve(l)
}

// Cut closes the listener and every open connection.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		_ = p.l.Close()
		p.l = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

func (p *Proxy) serve(l net.Listener) {
	for {
		in, err := l.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		if p.l != l { // cut meanwhile
			p.mu.Unlock()
			_ = in.Close()
			_ = out.Close()
			return
		}
		p.conns[in], p.conns[out] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go p.pipe(out, in)
		go p.pipe(in, out)
	}
}

func (p *Proxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}
