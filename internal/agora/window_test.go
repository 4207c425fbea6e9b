package agora

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTimeWindow(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	w := TimeWindow{Past: 48 * time.Hour, Future: time.Hour}
	for _, tc := range []struct {
		in, want time.Time
		clamped  bool
	}{
		{now, now, false},
		{now.Add(-47 * time.Hour), now.Add(-47 * time.Hour), false},
		{now.Add(-49 * time.Hour), now.Add(-48 * time.Hour), true},
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), now.Add(-48 * time.Hour), true},
		{now.Add(2 * time.Hour), now.Add(time.Hour), true},
		{time.Date(2199, 1, 1, 0, 0, 0, 0, time.UTC), now.Add(time.Hour), true},
	} {
		got, clamped := w.Clamp(tc.in, now)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.clamped, clamped, tc.in)
		assert.Equal(t, tc.clamped, w.Check(tc.in, now) != nil, tc.in)
	}
	got, clamped := TimeWindow{}.Clamp(time.Unix(0, 0), now)
	assert.False(t, clamped, "a zero window bounds nothing")
	assert.Equal(t, time.Unix(0, 0), got)
	assert.Error(t, TimeWindow{Past: -1}.Validate())
	assert.Error(t, TimeWindow{Past: 100 * 24 * time.Hour}.Validate())
	assert.NoError(t, DefaultTimeWindow.Validate())
}
