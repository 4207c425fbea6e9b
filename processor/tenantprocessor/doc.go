//go:generate mdatagen metadata.yaml

// Package tenantprocessor stamps the authenticated organization onto every
// resource. Place it first in every pipeline whose receiver authenticates
// with apikeyauth: from here on the org travels in the data itself, so
// batching, queues and the exporter keep tenants apart.
package tenantprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/tenantprocessor"
