package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"sync"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// registry remembers the names behind the ids the PostgREST endpoints hand
// out: the SDK looks a project, workflow or node up by name (and gets its
// deterministic id) before it inserts rows that carry only the id. The ids
// are derived from the org and the names, so a lookup needs no memory; the
// way back from an id to its name does. Bounded: two generations, the
// older dropped when the newer fills (an SDK looks names up again at every
// flow start and before every node execution).
type registry struct {
	mu       sync.Mutex
	max      int
	cur, old map[uuid.UUID]*named
}

// named is what an id stands for, in its org.
type named struct {
	org     string
	name    string
	parent  uuid.UUID // a workflow's project, a node's workflow
	project string    // a workflow's project name
	// A graph node's registration, kept whole: an update of its code
	// re-emits the node with its type and config.
	typ    string
	code   string
	config pcommon.Value
}

func newRegistry(max int) *registry {
	return &registry{max: max, cur: map[uuid.UUID]*named{}, old: map[uuid.UUID]*named{}}
}

func (r *registry) put(id uuid.UUID, n *named) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cur) >= r.max/2 {
		r.old, r.cur = r.cur, map[uuid.UUID]*named{}
	}
	r.cur[id] = n
}

// get is the entry of id if it belongs to org.
func (r *registry) get(org string, id uuid.UUID) (*named, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.cur[id]
	if !ok {
		if n, ok = r.old[id]; ok {
			r.cur[id] = n
		}
	}
	if !ok || n.org != org {
		return nil, false
	}
	return n, true
}
