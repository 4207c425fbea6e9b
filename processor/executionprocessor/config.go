package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"errors"
	"path"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Config defines the execution processor's settings.
type Config struct {
	// ExecutionTimeout marks a running execution timeout after this long
	// without telemetry. Default: 5m.
	ExecutionTimeout time.Duration `mapstructure:"execution_timeout"`
	// FlushInterval coalesces changes: changed records are emitted at most
	// once per interval. Default: 250ms. Executions wait in memory until the
	// next flush: against 500ms, peak RSS at the bench-compare OTLP load fell
	// about a fifth (4 runs each), and collector CPU did not rise at it or
	// at the API load (3 runs each).
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// Retention keeps a finished (or timed-out) execution this long after
	// its last telemetry, so late data still updates its record. Default: 10m.
	Retention time.Duration `mapstructure:"retention"`
	// MaxExecutions bounds the executions held in memory, all orgs together.
	// Default: 50000.
	MaxExecutions int `mapstructure:"max_executions"`
	// MaxExecutionsPerOrg bounds one org's executions in memory, so one org
	// can only push out its own. Beyond either limit the least recently seen
	// execution is spilled to storage (rebuilt when telemetry for it
	// arrives) or, without storage, emitted and dropped (counted per org).
	// Default: 20000.
	MaxExecutionsPerOrg int `mapstructure:"max_executions_per_org"`
	// MaxNodesPerExecution bounds one execution's node executions; beyond
	// it the record is marked truncated. Default: 10000.
	MaxNodesPerExecution int `mapstructure:"max_nodes_per_execution"`
	// MaxSpansPerExecution bounds the spans one execution keeps track of
	// (to attribute LLM usage to nodes); beyond it the record is marked
	// truncated. Default: 100000.
	MaxSpansPerExecution int `mapstructure:"max_spans_per_execution"`
	// Storage names a storage extension (wal_storage) that journals every
	// execution's inputs before they are acknowledged: after a crash the
	// state is rebuilt from it, and executions beyond the memory limits wait
	// there. Default: none: state is lost on restart, and telemetry of an
	// execution that arrives after one yields a partial record that replaces
	// the complete one. Set it in production.
	Storage *component.ID `mapstructure:"storage"`
	// Prices turn tokens into cost when a span carries no cost of its own.
	// The first entry whose model pattern (path.Match syntax) matches the
	// span's response (else request) model wins. Default: none (cost only
	// from the senders' own cost attributes).
	Prices []Price `mapstructure:"prices"`
	// RecordEncoding is how emitted records carry their fields: "compact"
	// (one bytes body; the agora_clickhouse exporter and the agorametrics
	// connector read it, at about a tenth of the map's cost per record) or
	// "map" (a map body named by the wire's fields, readable by any OTLP
	// backend: set it when records leave through another exporter).
	// Default: compact.
	RecordEncoding agora.RecordEncoding `mapstructure:"record_encoding"`
}

// Price is a model's price in USD per million tokens.
type Price struct {
	// Model is a pattern such as "gpt-4o-mini*".
	Model string `mapstructure:"model"`
	// Prompt is the USD price of one million prompt (input) tokens.
	Prompt float64 `mapstructure:"prompt_per_million"`
	// Completion is the USD price of one million completion (output) tokens.
	Completion float64 `mapstructure:"completion_per_million"`
}

var (
	errTimeout       = errors.New("execution_timeout must be positive")
	errFlushInterval = errors.New("flush_interval must be between 10ms and execution_timeout")
	errRetention     = errors.New("retention must not be negative")
	errMaxExecutions = errors.New("max_executions and max_executions_per_org must be positive, per org at most max_executions")
	errMaxPerExec    = errors.New("max_nodes_per_execution and max_spans_per_execution must be positive")
	errPrice         = errors.New("prices: every entry needs a valid model pattern and non-negative prices")
	errEncoding      = errors.New(`record_encoding must be "compact" or "map"`)
)

// Validate checks the config.
func (cfg *Config) Validate() error {
	var errs error
	if cfg.ExecutionTimeout <= 0 {
		errs = errors.Join(errs, errTimeout)
	}
	if cfg.FlushInterval < 10*time.Millisecond || cfg.FlushInterval > cfg.ExecutionTimeout {
		errs = errors.Join(errs, errFlushInterval)
	}
	if cfg.Retention < 0 {
		errs = errors.Join(errs, errRetention)
	}
	if cfg.MaxExecutions <= 0 || cfg.MaxExecutionsPerOrg <= 0 || cfg.MaxExecutionsPerOrg > cfg.MaxExecutions {
		errs = errors.Join(errs, errMaxExecutions)
	}
	if cfg.MaxNodesPerExecution <= 0 || cfg.MaxSpansPerExecution <= 0 {
		errs = errors.Join(errs, errMaxPerExec)
	}
	if cfg.RecordEncoding != agora.RecordEncodingCompact && cfg.RecordEncoding != agora.RecordEncodingMap {
		errs = errors.Join(errs, errEncoding)
	}
	for _, p := range cfg.Prices {
		if _, err := path.Match(p.Model, ""); err != nil || p.Model == "" || p.Prompt < 0 || p.Completion < 0 {
			errs = errors.Join(errs, errPrice)
			break
		}
	}
	return errs
}
