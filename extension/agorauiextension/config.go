package agorauiextension // import "github.com/agora-otelcol/agora-otelcol/extension/agorauiextension"

import (
	"errors"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"

	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
)

// Config defines the UI extension's settings.
type Config struct {
	// HTTP is the server. Default endpoint: localhost:8080. Set
	// auth: {authenticator: apikeyauth}: the API answers only with a key, for
	// that key's org. Pages and assets need no key (they hold no data).
	HTTP confighttp.ServerConfig `mapstructure:"http"`
	// ClickHouse is where the exporter stores the data.
	ClickHouse ClickHouseConfig `mapstructure:"clickhouse"`
	// KeysFile is the apikeyauth keys file, for the settings page (list,
	// create, revoke keys). Required.
	KeysFile string `mapstructure:"keys_file"`
	// QueryTimeout bounds one API query. Default: 10s.
	QueryTimeout time.Duration `mapstructure:"query_timeout"`
}

// ClickHouseConfig is the connection the UI reads with.
type ClickHouseConfig struct {
	// Endpoint: tcp://host:9000 or http(s)://host:8123. Required.
	Endpoint string `mapstructure:"endpoint"`
	// Username. Default: "" (the server's default user).
	Username string `mapstructure:"username"`
	// Password. Default: "".
	Password configopaque.String `mapstructure:"password"`
	// Database the exporter writes. Default: agora.
	Database string `mapstructure:"database"`
	// TLS. Default: insecure: true (plaintext).
	TLS configtls.ClientConfig `mapstructure:"tls"`
	// DialTimeout. Default: 10s.
	DialTimeout time.Duration `mapstructure:"dial_timeout"`
}

var (
	errNoKeysFile = errors.New("keys_file must be specified")
	errDatabase   = errors.New("clickhouse.database must be a plain identifier")
	errTimeout    = errors.New("query_timeout must be positive")
	identifier    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Validate checks the config.
func (cfg *Config) Validate() error {
	var errs error
	if _, err := chclient.EndpointURL(cfg.ClickHouse.Endpoint); err != nil {
		errs = errors.Join(errs, err)
	}
	if !identifier.MatchString(cfg.ClickHouse.Database) {
		errs = errors.Join(errs, errDatabase)
	}
	if cfg.KeysFile == "" {
		errs = errors.Join(errs, errNoKeysFile)
	}
	if cfg.QueryTimeout <= 0 {
		errs = errors.Join(errs, errTimeout)
	}
	return errs
}

func (c ClickHouseConfig) settings() chclient.Settings {
	return chclient.Settings{Endpoint: c.Endpoint, Username: c.Username, Password: c.Password, TLS: c.TLS, DialTimeout: c.DialTimeout}
}
