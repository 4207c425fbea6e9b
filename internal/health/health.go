// Package health is how components learn the collector's health from the
// agorahealth extension (a component status watcher): whether it accepts
// data, and which components are degraded and why.
package health

import (
	"errors"

	"go.opentelemetry.io/collector/component"
)

// ErrRefusing marks a component status error that means the collector
// refuses data now (its sending queue is full): only then is it not ready.
var ErrRefusing = errors.New("refusing data")

// Report is the collector's health.
type Report struct {
	// Ready: the collector accepts data (it may be degraded: buffering
	// durably while ClickHouse is away is ready).
	Ready bool `json:"ready"`
	// Degraded names each component reporting an error, with the error.
	Degraded map[string]string `json:"degraded,omitempty"`
}

// Source is implemented by the extension that watches component status.
type Source interface {
	Health() Report
}

// Find returns the host's health source, nil when none is configured.
func Find(host component.Host) Source {
	for _, ext := range host.GetExtensions() {
		if s, ok := ext.(Source); ok {
			return s
		}
	}
	return nil
}
