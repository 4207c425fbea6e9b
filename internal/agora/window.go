package agora

import (
	"fmt"
	"time"
)

// TimeWindow is how far from now a stored timestamp may be. Tables are
// partitioned by time and ClickHouse refuses an insert whose rows span more
// than 100 partitions, so timestamps are kept within the window: the Agora
// API refuses items outside it, and rows from other senders are clamped
// into it (their original time kept beside).
type TimeWindow struct {
	// Past is how far back a timestamp may be. 0: no lower bound.
	Past time.Duration `mapstructure:"past"`
	// Future is how far ahead (sender clock skew, naive local times) a
	// timestamp may be. 0: no upper bound.
	Future time.Duration `mapstructure:"future"`
}

// DefaultTimeWindow keeps a month behind and a day ahead: 32 daily
// partitions at most per insert.
var DefaultTimeWindow = TimeWindow{Past: 30 * 24 * time.Hour, Future: 24 * time.Hour}

// Clamp brings t into the window around now; clamped says it moved.
func (w TimeWindow) Clamp(t, now time.Time) (_ time.Time, clamped bool) {
	if w.Past > 0 && t.Before(now.Add(-w.Past)) {
		return now.Add(-w.Past), true
	}
	if w.Future > 0 && t.After(now.Add(w.Future)) {
		return now.Add(w.Future), true
	}
	return t, false
}

// Check says why t is outside the window, nil when it is inside.
func (w TimeWindow) Check(t, now time.Time) error {
	if w.Past > 0 && t.Before(now.Add(-w.Past)) {
		return fmt.Errorf("more than %s in the past", w.Past)
	}
	if w.Future > 0 && t.After(now.Add(w.Future)) {
		return fmt.Errorf("more than %s in the future", w.Future)
	}
	return nil
}

// Validate checks the window.
func (w TimeWindow) Validate() error {
	if w.Past < 0 || w.Future < 0 {
		return fmt.Errorf("time window bounds must not be negative")
	}
	if w.Past > 90*24*time.Hour {
		return fmt.Errorf("past must be at most 90 days: more daily partitions than ClickHouse takes in one insert")
	}
	return nil
}
