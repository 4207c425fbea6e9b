package agorahealthextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorahealthextension"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/extension"

	"github.com/agora-otelcol/agora-otelcol/extension/agorahealthextension/internal/metadata"
)

// NewFactory creates the factory of the readiness extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, create, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	http := confighttp.NewDefaultServerConfig()
	http.NetAddr.Endpoint = "localhost:13134"
	return &Config{HTTP: http, Path: "/ready"}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newHealth(cfg.(*Config), set), nil
}
