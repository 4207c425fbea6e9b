//go:generate mdatagen metadata.yaml

// Package clickhouseexporter stores Agora telemetry in ClickHouse: spans in the
// `spans` table, with a versioned schema it migrates on start.
package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"
