//go:generate mdatagen metadata.yaml

// Package apikeyauthextension authenticates requests by org-scoped Agora API
// keys (X-API-Key or Authorization: Bearer) against a hot-reloaded keys file.
package apikeyauthextension // import "github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension"
