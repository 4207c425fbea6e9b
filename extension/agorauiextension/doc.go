//go:generate mdatagen metadata.yaml

// Package agorauiextension serves the monitoring page, the execution detail
// page, the settings page and their JSON query API from the collector,
// reading ClickHouse, scoped to the org of the signed-in API key.
package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"
