package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"container/heap"
	"time"

	"github.com/google/uuid"
)

// Spilling: what stays in memory of an execution kept in the journal.

// inlineSeqs journal entries fit a spilled execution: an OTLP execution
// sent in one request has one, one through the Agora API a few.
const inlineSeqs = 4

// spilled is what stays in memory of a spilled execution (48 bytes).
type spilled struct {
	lastSeen int64  // Unix nanoseconds
	spill    uint32 // its number: a due entry of an earlier spill is stale
	open     bool
	// n is how many of seqs are its journal entries; restN: its entries
	// and aliased traces are in spillRest.
	n    uint8
	seqs [inlineSeqs]uint64
}

const restN = inlineSeqs + 1

// spillRest is a spilled execution's journal entries when more than fit
// inline, and the traces aliased to it (forgotten with the execution).
type spillRest struct {
	journal []uint64
	traces  []uuid.UUID
}

func (sp *spilled) seen() time.Time { return time.Unix(0, sp.lastSeen) }

// spilledParts are a spilled execution's journal entries and aliased traces.
func (o *orgState) spilledParts(exec uuid.UUID, sp *spilled) ([]uint64, []uuid.UUID) {
	if sp.n == restN {
		r := o.spillRest[exec]
		return r.journal, r.traces
	}
	return append([]uint64(nil), sp.seqs[:sp.n]...), nil
}

// putSpilled files a spilled execution, inline when it fits.
func (o *orgState) putSpilled(exec uuid.UUID, sp spilled, journal []uint64, traces []uuid.UUID) {
	delete(o.spillRest, exec)
	if len(journal) <= inlineSeqs && len(traces) == 0 {
		sp.n = uint8(copy(sp.seqs[:], journal))
	} else {
		sp.n = restN
		if o.spillRest == nil {
			o.spillRest = map[uuid.UUID]spillRest{}
		}
		o.spillRest[exec] = spillRest{journal: journal, traces: traces}
	}
	o.spilled[exec] = sp
}

// dropSpilled forgets a spilled execution.
func (o *orgState) dropSpilled(exec uuid.UUID) {
	delete(o.spilled, exec)
	delete(o.spillRest, exec)
}

// spill keeps only what rebuilding the execution from the journal needs.
func (s *state) spill(o *orgState, e *execution) {
	o.spills++
	sp := spilled{lastSeen: e.rec.LastSeen.UnixNano(), spill: o.spills, open: e.open()}
	o.putSpilled(e.key.exec, sp, e.journal, e.aliasedTraces())
	at := e.rec.LastSeen.Add(s.cfg.Retention)
	if sp.open {
		at = e.rec.LastSeen.Add(s.cfg.ExecutionTimeout)
	}
	heap.Push(&o.due, due{at: at.UnixNano(), exec: e.key.exec, spill: sp.spill})
	s.stats.spilled++
}

// due is when a flush looks at a spilled execution again (no pointers:
// the heap holds one per spill).
type due struct {
	at    int64 // Unix nanoseconds
	exec  uuid.UUID
	spill uint32 // the spill it was pushed for: stale once o.spilled moved on
}

// dueHeap is a min-heap of due (container/heap).
type dueHeap []due

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(due)) }
func (h *dueHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	*h = old[:len(old)-1]
	return d
}
