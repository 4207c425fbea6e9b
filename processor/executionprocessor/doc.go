//go:generate mdatagen metadata.yaml

// Package executionprocessor folds agora_tracer spans and Agora API records
// into execution and node-execution records, kept current while a workflow
// runs and emitted down the logs pipeline when they change.
package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"
