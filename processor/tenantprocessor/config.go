package tenantprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/tenantprocessor"

// Config has no settings: the org always comes from the API key, never from
// configuration or from the data.
type Config struct{}

// Validate checks the config.
func (*Config) Validate() error { return nil }
