package testutil

import (
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// Host is a component.Host with the given extensions that records every
// component status event reported to it.
type Host struct {
	Extensions map[component.ID]component.Component

	mu     sync.Mutex
	events []*componentstatus.Event
}

var _ componentstatus.Reporter = (*Host)(nil)

// NewHost returns a host holding exts.
func NewHost(exts map[component.ID]component.Component) *Host {
	if exts == nil {
		exts = map[component.ID]component.Component{}
	}
	return &Host{Extensions: exts}
}

// GetExtensions implements component.Host.
func (h *Host) GetExtensions() map[component.ID]component.Component { return h.Extensions }

// Report implements componentstatus.Reporter.
func (h *Host) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

// Statuses are the reported statuses, oldest first.
func (h *Host) Statuses() []componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]componentstatus.Status, len(h.events))
	for i, ev := range h.events {
		out[i] = ev.Status()
	}
	return out
}

// Last is the newest event, nil when none was reported.
func (h *Host) Last() *componentstatus.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) == 0 {
		return nil
	}
	return h.events[len(h.events)-1]
}
