package agora

import (
	"context"

	"go.opentelemetry.io/collector/client"
)

// Caller is who sent a request: the org and the key of its API key, as the
// API-key authenticator put them into the request's client.Info.
type Caller struct {
	OrgID, OrgName, KeyID, KeyName string
}

// CallerFrom reads the authenticated caller; ok is false when the request
// carries no authenticated org (no authenticator on its receiver).
func CallerFrom(ctx context.Context) (Caller, bool) {
	auth := client.FromContext(ctx).Auth
	if auth == nil {
		return Caller{}, false
	}
	get := func(k string) string { s, _ := auth.GetAttribute(k).(string); return s }
	c := Caller{OrgID: get(AuthOrgID), OrgName: get(AuthOrgName), KeyID: get(AuthKeyID), KeyName: get(AuthKeyName)}
	return c, c.OrgID != ""
}
