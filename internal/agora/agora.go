// Package agora is the project's shared vocabulary: attribute names and
// domain types that receivers, processors, exporters and tools agree on.
// Define a name here once; never spell it again elsewhere.
package agora

// Resource attributes stamped by the tenant processor (or the agora
// receiver) from the authenticated API key. They decide which organization
// a row belongs to; a sender's own values are always overwritten.
const (
	AttrOrgID   = "agora.org.id"
	AttrOrgName = "agora.org.name"
)

// Auth data attribute names set by the API-key authenticator in the
// request's client.Info.
const (
	AuthOrgID   = "agora.org.id"
	AuthOrgName = "agora.org.name"
	AuthKeyID   = "agora.key.id"
	AuthKeyName = "agora.key.name"
)
