package agorauiextension

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

func snapRow(t *testing.T, at time.Time, item map[string]any) agora.LogRow {
	b, err := json.Marshal(map[string]any{"state": item, "timestamp": at.Format(time.RFC3339Nano)})
	require.NoError(t, err)
	return agora.LogRow{Timestamp: at, Body: string(b)}
}

func TestSnapshotDiffsBeforeAfter(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	rows := []agora.LogRow{
		// Out of order on purpose: pairs follow time, not arrival.
		snapRow(t, t0.Add(2*time.Second), map[string]any{"node_name": "Answer", "phase": "after",
			"state": map[string]any{"question": "q", "answer": "42", "meta": map[string]any{"turn": 2.0}}}),
		snapRow(t, t0, map[string]any{"node_name": "Answer", "phase": "before",
			"state": map[string]any{"question": "q", "draft": "x", "meta": map[string]any{"turn": 1.0}}}),
		snapRow(t, t0.Add(3*time.Second), map[string]any{"node_name": "Other", "snapshot_type": "BEFORE", "state": map[string]any{"a": 1.0}}),
		{Timestamp: t0, Body: "not json"},
	}
	diffs := snapshotDiffs(rows)
	require.Len(t, diffs, 1, "a before without its after is no diff; a broken body is skipped")
	d := diffs[0]
	assert.Equal(t, "Answer", d.Node)
	assert.Equal(t, t0, d.BeforeAt)
	assert.Equal(t, t0.Add(2*time.Second), d.AfterAt)
	assert.Equal(t, []change{
		{Path: "answer", Change: "added", After: "42"},
		{Path: "draft", Change: "removed", Before: "x"},
		{Path: "meta.turn", Change: "changed", Before: 1.0, After: 2.0},
	}, d.Changes)
}

func TestSnapshotDiffsUnlabelled(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	// No phase and no state field: consecutive snapshots, the item less its
	// names is the state.
	rows := []agora.LogRow{
		snapRow(t, t0, map[string]any{"node": "N", "count": 1.0}),
		snapRow(t, t0.Add(time.Second), map[string]any{"node": "N", "count": 2.0}),
		snapRow(t, t0.Add(2*time.Second), map[string]any{"node": "N", "count": 2.0}),
	}
	diffs := snapshotDiffs(rows)
	require.Len(t, diffs, 2)
	assert.Equal(t, []change{{Path: "count", Change: "changed", Before: 1.0, After: 2.0}}, diffs[0].Changes)
	assert.Empty(t, diffs[1].Changes, "an unchanged store is a diff with no changes")
}

func TestSearchWords(t *testing.T) {
	w, err := searchWords(`  Connection RESET by-peer: "Connection" é42 `)
	require.NoError(t, err)
	assert.Equal(t, []string{"connection", "reset", "by", "peer", "é42"}, w)
	for _, bad := range []string{"", " -- ", string(make([]byte, 201))} {
		_, err := searchWords(bad)
		require.Error(t, err, "%q", bad)
		assert.Contains(t, err.Error(), "q: ")
	}
	_, err = searchWords("a b c d e f g h i j k")
	assert.ErrorContains(t, err, "at most 10 words")
}

func TestExecutionsCSVEscapesFormulas(t *testing.T) {
	rows := []agora.ExecutionRow{{WorkflowName: "=HYPERLINK(\"x\")", ErrorMessage: "line1\nline2, \"quoted\"", Status: "error"}}
	b, err := executionsCSV(rows)
	require.NoError(t, err)
	s := string(b)
	assert.Contains(t, s, `"'=HYPERLINK(""x"")"`)
	assert.Contains(t, s, "\"line1\nline2, \"\"quoted\"\"\"")
}
