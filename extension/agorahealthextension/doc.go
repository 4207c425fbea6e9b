//go:generate mdatagen metadata.yaml

// Package agorahealthextension watches component status and answers
// readiness: not ready only while the collector refuses data.
package agorahealthextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorahealthextension"
