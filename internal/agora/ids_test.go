package agora

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
)

func TestExecutionIDsProveTheOrg(t *testing.T) {
	x := NewExecutionIDs([]byte("a-secret-of-at-least-32-characters!"))
	start := time.Date(2026, 11, 25, 17, 19, 5, 123000000, time.UTC)
	id := x.New("org-a", start, nil)

	assert.Equal(t, uuid.Version(8), id.Version())
	assert.Equal(t, uuid.RFC4122, id.Variant())
	assert.True(t, x.Owns("org-a", id))
	assert.False(t, x.Owns("org-b", id), "another org's id")
	assert.Equal(t, start, StartTime(id), "the start time travels in the id")

	other := NewExecutionIDs([]byte("another-secret-of-32-characters!!!"))
	assert.False(t, other.Owns("org-a", id), "a replica with another secret")
	assert.True(t, NewExecutionIDs([]byte("a-secret-of-at-least-32-characters!")).Owns("org-a", id), "a replica with the same secret")

	tampered := id
	tampered[15] ^= 1
	assert.False(t, x.Owns("org-a", tampered))
	tampered = id
	tampered[0] ^= 1 // another start time
	assert.False(t, x.Owns("org-a", tampered))
	assert.False(t, x.Owns("org-a", uuid.New()), "a random v4 uuid")

	assert.NotEqual(t, id, x.New("org-a", start, nil), "random part")
	e := []byte{1, 2, 3, 4}
	assert.Equal(t, x.New("org-a", start, e), x.New("org-a", start, e), "derived entropy is deterministic")
}

func TestDeterministicIDs(t *testing.T) {
	p := ProjectID("org-a", "proj")
	assert.Equal(t, p, ProjectID("org-a", "proj"))
	assert.NotEqual(t, p, ProjectID("org-b", "proj"), "per org")
	w := WorkflowID(p, "wf")
	assert.NotEqual(t, w, WorkflowID(ProjectID("org-a", "other"), "wf"), "per project")
	assert.NotEqual(t, NodeID(w, "a"), NodeID(w, "b"))
	// Separators keep ("ab","c") and ("a","bc") apart.
	assert.NotEqual(t, ItemID(p, "x", "ab", "c"), ItemID(p, "x", "a", "bc"))
}

// The derived ids are UUIDv5 exactly as uuid.NewSHA1 makes them: stored
// ids stay the same whatever computes them.
func TestNameIDsAreUUIDv5(t *testing.T) {
	exec, ws := uuid.New(), uuid.New()
	long := strings.Repeat("ü", 300) // past the stack buffer
	for _, name := range []string{"", "n", "Think", long} {
		assert.Equal(t, uuid.NewSHA1(namespace, []byte("project\x00org\x00"+name)), ProjectID("org", name))
		assert.Equal(t, uuid.NewSHA1(ws, []byte("workflow\x00"+name)), WorkflowID(ws, name))
		assert.Equal(t, uuid.NewSHA1(ws, []byte("node\x00"+name)), NodeID(ws, name))
		assert.Equal(t, uuid.NewSHA1(exec, []byte("event\x00"+name+"\x00x")), ItemID(exec, "event", name, "x"))
		start := time.Date(2026, 11, 26, 1, 2, 3, 4500, time.FixedZone("x", 3600))
		assert.Equal(t, uuid.NewSHA1(exec, []byte("node_execution\x00"+name+"\x00"+start.UTC().Format(time.RFC3339Nano))),
			NodeExecutionID(exec, name, start))
	}
}

// TestRecurringIDsStayExact: ids served from the memo are the ones the
// definition gives, past the memo's bound and from several goroutines,
// and the memo never holds more than its bound.
func TestRecurringIDsStayExact(t *testing.T) {
	ws := uuid.New()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 3 * maxRecurring {
				name := fmt.Sprint("node-", (i*7+g)%(maxRecurring+500))
				want := uuid.NewSHA1(ws, []byte("node\x00"+name))
				if got := NodeID(ws, name); got != want {
					t.Errorf("%s: %s, want %s", name, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	recurring.Lock()
	defer recurring.Unlock()
	assert.LessOrEqual(t, len(recurring.ids), maxRecurring)
}
