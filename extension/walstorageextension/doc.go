//go:generate mdatagen metadata.yaml

// Package walstorageextension is a storage extension (the interface of
// contrib's file_storage) that keeps each client's keys in append-only
// segment files: one write per batch, no B-tree pages to copy, no mmap.
// It is built for the write-once, delete-soon traffic of the exporter's
// persistent queue and the execution processor's journal.
package walstorageextension // import "github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"
