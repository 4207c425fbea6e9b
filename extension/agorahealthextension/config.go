package agorahealthextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorahealthextension"

import (
	"errors"
	"strings"

	"go.opentelemetry.io/collector/config/confighttp"
)

// Config defines the extension's settings.
type Config struct {
	// HTTP is the readiness server. Default endpoint: localhost:13134.
	HTTP confighttp.ServerConfig `mapstructure:"http"`
	// Path answers readiness. Default: /ready.
	Path string `mapstructure:"path"`
}

var errPath = errors.New("path must start with /")

// Validate checks the config.
func (cfg *Config) Validate() error {
	if !strings.HasPrefix(cfg.Path, "/") {
		return errPath
	}
	return nil
}
