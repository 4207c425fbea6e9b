package apikeyauthextension // import "github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

// NewFactory creates the factory of the API-key authenticator.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, create, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{ReloadInterval: 2 * time.Second, Scope: apikey.ScopeIngest}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newAuthenticator(cfg.(*Config), set)
}
