package agora

import "math"

// Bounds of the numbers a record holds. Beyond them a value is a mistake
// or an attack: it would wrap when converted, overflow a sum, or push a
// time out of range. The Agora API refuses such a field (400 naming it);
// from OTLP attributes it is ignored and counted.
const (
	// MaxCount bounds the tokens of one item: a trillion.
	MaxCount = 1_000_000_000_000
	// MaxRetries bounds the retries of one item (stored as UInt32).
	MaxRetries = 1_000_000
	// MaxDurationMs bounds a duration: a year (366 days) in milliseconds.
	MaxDurationMs = 366 * 24 * 3600 * 1000
	// MaxCost bounds the cost of one item, in the sender's currency.
	MaxCost = 1_000_000_000
)

// CountOK: a whole number from 0 to MaxCount.
func CountOK(f float64) bool { return f >= 0 && f <= MaxCount && f == math.Trunc(f) }

// RetriesOK: a whole number from 0 to MaxRetries.
func RetriesOK(f float64) bool { return f >= 0 && f <= MaxRetries && f == math.Trunc(f) }

// DurationOK: milliseconds from 0 to MaxDurationMs.
func DurationOK(f float64) bool { return f >= 0 && f <= MaxDurationMs }

// CostOK: from 0 to MaxCost.
func CostOK(f float64) bool { return f >= 0 && f <= MaxCost }

// ClampDurationMs bounds a duration computed from two times (a span's end
// before its start, or decades apart).
func ClampDurationMs(f float64) float64 { return min(max(f, 0), MaxDurationMs) }

// AddCount adds counts without wrapping: a sum of bounded counts stays far
// below the int64 limit, but a sum never turns negative even so.
func AddCount(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
