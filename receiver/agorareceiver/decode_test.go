package agorareceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2025, 12, 16, 18, 28, 57, 362783000, time.UTC)
	for in, expect := range map[string]time.Time{
		"2025-12-16T18:28:57.362783":       want, // naive: UTC
		"2025-12-16 18:28:57.362783":       want,
		"2025-12-16T18:28:57.362783Z":      want,
		"2025-12-16T18:28:57.362783+00:00": want,
		"2025-12-16T20:28:57.362783+02:00": want,
		"2025-12-16T13:28:57.362783-05:00": want,
		"2025-12-16T18:28:57":              want.Truncate(time.Second),
		"2025-12-16 18:28:57.362783+00:00": want,
	} {
		got, err := parseTimestamp(in)
		assert.NoError(t, err, in)
		assert.Equal(t, expect, got, in)
	}
	for _, bad := range []string{"", "2025-12-16", "yesterday", "2025-12-16T25:00:00", "2025-12-16T18:28:57.362783+25:00", "2025-12-16X18:28:57", "1969-12-31T23:59:59Z", "2300-01-01T00:00:00"} {
		_, err := parseTimestamp(bad)
		assert.Error(t, err, bad)
	}
}
