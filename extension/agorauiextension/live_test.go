package agorauiextension

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testHub is a hub whose pollers never read (an hour between polls).
func testHub(perOrg, total, buffer int) *liveHub {
	cfg := newDefaultLiveConfig()
	cfg.PollInterval, cfg.MaxConnectionsPerOrg, cfg.MaxConnections, cfg.Buffer = time.Hour, perOrg, total, buffer
	return newLiveHub(&ui{cfg: &Config{Live: cfg}}, cfg)
}

func TestLiveHubBounds(t *testing.T) {
	h := testHub(2, 3, 10)
	a1, err := h.join("a", "")
	require.NoError(t, err)
	a2, err := h.join("a", "")
	require.NoError(t, err)
	_, err = h.join("a", "")
	var ae apiError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, http.StatusTooManyRequests, ae.status)
	assert.Contains(t, ae.detail, "per organization")

	b1, err := h.join("b", "")
	require.NoError(t, err, "one org's full quota does not block another")
	_, err = h.join("c", "")
	assert.ErrorIs(t, err, errLiveFull, "the collector's bound")
	streams, pollers := h.stats()
	assert.Equal(t, 3, streams)
	assert.Equal(t, 2, pollers)

	// Leaving frees places; the last stream of an org stops its poller.
	h.leave("a", a1)
	h.leave("a", a1) // twice is harmless
	h.leave("b", a2) // not b's: nothing happens
	streams, pollers = h.stats()
	assert.Equal(t, 2, streams)
	assert.Equal(t, 2, pollers)
	f := h.orgs["b"]
	h.leave("b", b1)
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		t.Fatal("b's poller did not stop with its last stream")
	}
	h.leave("a", a2)
	streams, pollers = h.stats()
	assert.Zero(t, streams)
	assert.Zero(t, pollers)
	_, err = h.join("c", "")
	assert.NoError(t, err)
	h.shutdown()
}

func TestLiveSubDropsAndCounts(t *testing.T) {
	h := testHub(1, 1, 2)
	s, err := h.join("a", "node")
	require.NoError(t, err)
	defer h.shutdown()
	f := h.orgs["a"]
	h.broadcast("a", f, []liveEvent{{kind: "execution"}, {kind: "node", data: []byte("1")}, {kind: "node", data: []byte("2")},
		{kind: "node", data: []byte("3")}, {kind: "node", data: []byte("4")}})
	assert.Equal(t, "1", string((<-s.events).data), "the filter skips executions")
	assert.Equal(t, "2", string((<-s.events).data))
	assert.Equal(t, 2, <-s.dropped, "a full buffer drops and counts")
	select {
	case ev := <-s.events:
		t.Fatalf("unexpected %v", ev)
	default:
	}
	h.broadcast("other", f, []liveEvent{{kind: "node"}})
	assert.Empty(t, s.events, "a feed broadcasts to its own org's streams only")

	llm := &liveSub{only: "llm"}
	assert.True(t, llm.wants(liveEvent{kind: "span", llm: true}))
	assert.False(t, llm.wants(liveEvent{kind: "span"}))
	assert.True(t, (&liveSub{}).wants(liveEvent{kind: "span"}))
}

func TestLiveCursor(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	c := newCursor(t0)
	assert.Equal(t, t0.Add(-liveLag), c.from(liveLag))
	assert.True(t, c.fresh("x", t0.Add(time.Second)))
	assert.False(t, c.fresh("x", t0.Add(time.Second)), "a row re-read within the lag is not sent twice")
	assert.True(t, c.fresh("y", t0.Add(30*time.Second)))
	assert.Equal(t, t0.Add(20*time.Second), c.from(liveLag))
	assert.NotContains(t, c.sent, "x", "keys behind the lag are forgotten")
	assert.Contains(t, c.sent, "y")
}
