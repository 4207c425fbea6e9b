package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/extension"

	"github.com/agora-otelcol/agora-otelcol/extension/agorauiextension/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/alerts"
	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

// NewFactory creates the factory of the UI extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, create, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	http := confighttp.NewDefaultServerConfig()
	http.NetAddr.Endpoint = "localhost:8080"
	return &Config{
		HTTP:         http,
		ClickHouse:   chclient.NewDefaultConfig(),
		QueryTimeout: 10 * time.Second,
		Session:      SessionConfig{IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour},
		Alerts:       alerts.NewDefaultConfig(),
		Live:         newDefaultLiveConfig(),
	}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newUI(cfg.(*Config), set), nil
}
