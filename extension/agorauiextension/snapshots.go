package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Shared-store snapshots as before/after diffs per node. A snapshot is the
// SDK's item, kept whole; these are the fields read from it (first match).
var (
	snapshotNodeKeys  = []string{"node_name", "node"}
	snapshotPhaseKeys = []string{"phase", "snapshot_type", "when", "stage"}
	snapshotStateKeys = []string{"state", "shared_state", "store", "data"}
	snapshotTimeKeys  = []string{"timestamp"}
)

// maxDiffDepth bounds how deep objects are compared key by key; deeper
// values are compared whole.
const maxDiffDepth = 8

type snapshot struct {
	node, phase string
	at          time.Time
	state       any
}

// change is one path whose value differs between two snapshots.
type change struct {
	Path   string `json:"path"`
	Change string `json:"change"` // added, removed or changed
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
}

// snapshotDiff is what a node changed in the store: the snapshot before
// it ran and the one after (or, when the SDK labels neither, one snapshot
// and the one before it).
type snapshotDiff struct {
	Node     string    `json:"node"`
	BeforeAt time.Time `json:"before_at"`
	AfterAt  time.Time `json:"after_at"`
	Changes  []change  `json:"changes"`
}

// readSnapshot decodes a stored agora.state.snapshot body.
func readSnapshot(row agora.LogRow) (snapshot, bool) {
	var body map[string]any
	if json.Unmarshal([]byte(row.Body), &body) != nil {
		return snapshot{}, false
	}
	item, ok := body[agora.FieldState].(map[string]any)
	if !ok {
		return snapshot{}, false
	}
	s := snapshot{node: firstString(item, snapshotNodeKeys), phase: strings.ToLower(firstString(item, snapshotPhaseKeys)), at: row.Timestamp}
	for _, k := range snapshotStateKeys {
		if v, ok := item[k]; ok {
			s.state = v
			return s, true
		}
	}
	// No state field: the item less what names it is the state.
	rest := map[string]any{}
	for k, v := range item {
		if !slices.Contains(snapshotNodeKeys, k) && !slices.Contains(snapshotPhaseKeys, k) && !slices.Contains(snapshotTimeKeys, k) {
			rest[k] = v
		}
	}
	s.state = rest
	return s, true
}

func firstString(m map[string]any, keys []string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// snapshotDiffs pairs each node's snapshots in time order: a "before" with
// the next "after"; unlabelled ones each with the one before it.
func snapshotDiffs(rows []agora.LogRow) []snapshotDiff {
	byNode := map[string][]snapshot{}
	var order []string
	for _, r := range rows {
		s, ok := readSnapshot(r)
		if !ok {
			continue
		}
		if _, seen := byNode[s.node]; !seen {
			order = append(order, s.node)
		}
		byNode[s.node] = append(byNode[s.node], s)
	}
	diffs := []snapshotDiff{}
	for _, node := range order {
		snaps := byNode[node]
		sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].at.Before(snaps[j].at) })
		for i := 1; i < len(snaps); i++ {
			prev, cur := snaps[i-1], snaps[i]
			if cur.phase == "before" || prev.phase == "after" && cur.phase == "after" {
				continue // a new pair starts here, or an after without its before
			}
			d := snapshotDiff{Node: node, BeforeAt: prev.at, AfterAt: cur.at, Changes: []change{}}
			diffValues("", prev.state, cur.state, 0, &d.Changes)
			diffs = append(diffs, d)
		}
	}
	sort.SliceStable(diffs, func(i, j int) bool { return diffs[i].AfterAt.Before(diffs[j].AfterAt) })
	return diffs
}

// diffValues appends what differs between a and b under path.
func diffValues(path string, a, b any, depth int, out *[]change) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok && depth < maxDiffDepth {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			av, ain := am[k]
			bv, bin := bm[k]
			switch {
			case !ain:
				*out = append(*out, change{Path: p, Change: "added", After: bv})
			case !bin:
				*out = append(*out, change{Path: p, Change: "removed", Before: av})
			default:
				diffValues(p, av, bv, depth+1, out)
			}
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		if path == "" {
			path = "(state)"
		}
		*out = append(*out, change{Path: path, Change: "changed", Before: a, After: b})
	}
}
