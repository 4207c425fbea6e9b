package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"fmt"
	"net/http"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/httpjson"
)

// The live tail's stream: one client's server-sent events, fed by its
// org's poller in live.go.

// live: GET /api/live?only=execution|node|llm: server-sent events until the
// client leaves, the key or session ends, or max_duration passes.
func (u *ui) live(w http.ResponseWriter, r *http.Request, k *apikey.Key) {
	only := r.URL.Query().Get("only")
	if only != "" && only != "execution" && only != "node" && only != "llm" {
		httpjson.Detail(w, http.StatusBadRequest, "only: must be execution, node or llm")
		return
	}
	s, err := u.liveHub.join(k.OrgID, only)
	if err != nil {
		u.answerError(w, r, err)
		return
	}
	defer u.liveHub.leave(k.OrgID, s)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // a proxy in front must not hold events back
	w.WriteHeader(http.StatusOK)
	write := func(format string, args ...any) bool {
		// The server's write timeout would end the stream: each write gets
		// its own deadline instead.
		_ = rc.SetWriteDeadline(time.Now().Add(liveRecheck))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write("retry: 2000\n: open\n\n") {
		return
	}
	end := time.NewTimer(u.cfg.Live.MaxDuration)
	defer end.Stop()
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	check := time.NewTicker(liveRecheck)
	defer check.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-u.liveDone:
			return
		case <-end.C:
			return
		case <-check.C:
			// A revoked key or ended session ends the stream too.
			if _, err := u.caller(r); err != nil {
				return
			}
		case <-beat.C:
			if !write(": beat\n\n") {
				return
			}
		case n := <-s.dropped:
			if !write("event: dropped\ndata: {\"dropped\":%d}\n\n", n) {
				return
			}
		case ev := <-s.events:
			if !write("event: %s\ndata: %s\n\n", ev.kind, ev.data) {
				return
			}
		}
	}
}
