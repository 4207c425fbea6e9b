//go:generate mdatagen metadata.yaml

// Package agorareceiver serves the Agora platform's /telemetry JSON API, wire
// compatible with existing Agora SDKs, and turns what they send into spans
// (traces) and one log record per item (logs).
package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"
