package agora

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // UUIDv5 is SHA-1 by definition; ids, not secrets
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"sync"
	"time"

	"github.com/google/uuid"
)

// namespace roots every deterministic id (UUIDv5), so replicas agree on ids
// for the same names without talking to each other.
var namespace = uuid.MustParse("6f1c1d3e-3b0a-5c1e-9a43-7f2b1c9e0a11")

// ProjectID is the id of the org's project with this name.
func ProjectID(orgID, project string) uuid.UUID {
	var buf [nameBuf]byte
	b := append(append(append(append(append(buf[:0], namespace[:]...), "project\x00"...), orgID...), 0), project...)
	return recurringUUID(b)
}

// WorkflowID is the id of the project's workflow with this name.
func WorkflowID(projectID uuid.UUID, workflow string) uuid.UUID {
	var buf [nameBuf]byte
	return recurringUUID(append(append(append(buf[:0], projectID[:]...), "workflow\x00"...), workflow...))
}

// NodeID is the id of the workflow's node with this name.
func NodeID(workflowID uuid.UUID, node string) uuid.UUID {
	var buf [nameBuf]byte
	return recurringUUID(append(append(append(buf[:0], workflowID[:]...), "node\x00"...), node...))
}

// ItemID is the deterministic id of an item of an execution: the same item
// sent twice gets the same id, so storage keeps it once.
func ItemID(executionID uuid.UUID, kind string, key ...string) uuid.UUID {
	var buf [nameBuf]byte
	b := append(append(buf[:0], executionID[:]...), kind...)
	for _, k := range key {
		b = append(append(b, 0), k...)
	}
	return nameUUID(b)
}

// nameBuf fits the names of most ids on the stack.
const nameBuf = 192

// nameUUID is uuid.NewSHA1(space, name) (a UUIDv5) of b = space + name,
// without its heap allocations: ids are derived several times per node item.
func nameUUID(b []byte) uuid.UUID {
	sum := sha1.Sum(b) //nolint:gosec // see the import
	var id uuid.UUID
	copy(id[:], sum[:])
	id[6] = id[6]&0x0f | 0x50 // version 5
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}

// recurring memoizes the ids of names that recur in every run (an org's
// projects and workflows, a workflow's nodes): a look-up costs a fraction
// of the SHA-1. Keyed by the whole name, so it is exact; when full it
// starts over, so names without end cost a bounded map.
var recurring = struct {
	sync.Mutex
	ids map[string]uuid.UUID
}{ids: map[string]uuid.UUID{}}

const maxRecurring = 4096

func recurringUUID(b []byte) uuid.UUID {
	recurring.Lock()
	id, ok := recurring.ids[string(b)]
	recurring.Unlock()
	if ok {
		return id
	}
	id = nameUUID(b)
	recurring.Lock()
	if len(recurring.ids) >= maxRecurring {
		clear(recurring.ids)
	}
	recurring.ids[string(b)] = id
	recurring.Unlock()
	return id
}

// ExecutionIDs mints and checks execution ids that prove which org started
// them, so ownership is checked without a database round trip, across
// restarts and replicas that share the secret.
//
// Layout (a UUIDv8): bytes 0-5 the start time in unix ms (so /complete can
// compute the duration statelessly); bytes 6-9 random (version and variant
// bits set); bytes 10-15 HMAC-SHA256(secret, org id, bytes 0-9), 48 bits.
type ExecutionIDs struct{ secret []byte }

// NewExecutionIDs uses secret as the HMAC key.
func NewExecutionIDs(secret []byte) *ExecutionIDs { return &ExecutionIDs{secret: secret} }

// New mints an execution id for orgID started at start. entropy, when not
// nil, replaces the random bytes (4 are used): a batch that auto-starts an
// execution derives them from its content, so a retried batch gets the same id.
func (x *ExecutionIDs) New(orgID string, start time.Time, entropy []byte) uuid.UUID {
	var id uuid.UUID
	ms := uint64(start.UnixMilli())
	binary.BigEndian.PutUint16(id[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(id[2:6], uint32(ms))
	if entropy != nil {
		copy(id[6:10], entropy)
	} else {
		_, _ = rand.Read(id[6:10])
	}
	id[6] = id[6]&0x0f | 0x80 // version 8
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	copy(id[10:16], x.mac(orgID, id[:10]))
	return id
}

// Owns reports whether id was minted for orgID.
func (x *ExecutionIDs) Owns(orgID string, id uuid.UUID) bool {
	if id[6]>>4 != 8 {
		return false
	}
	return subtle.ConstantTimeCompare(id[10:16], x.mac(orgID, id[:10])) == 1
}

// StartTime is the start time carried in an id minted by New.
func StartTime(id uuid.UUID) time.Time {
	ms := uint64(binary.BigEndian.Uint16(id[0:2]))<<32 | uint64(binary.BigEndian.Uint32(id[2:6]))
	return time.UnixMilli(int64(ms)).UTC()
}

func (x *ExecutionIDs) mac(orgID string, prefix []byte) []byte {
	m := hmac.New(sha256.New, x.secret)
	m.Write([]byte(orgID))
	m.Write([]byte{0})
	m.Write(prefix)
	return m.Sum(nil)[:6]
}
