// Package agorametricsconnector turns the execution processor's records
// into OpenTelemetry metrics of workflows: executions by final status,
// durations, retries, in-flight executions, LLM tokens and cost by model.
package agorametricsconnector // import "github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector"

//go:generate mdatagen metadata.yaml
