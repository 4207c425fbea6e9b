package agorametricsconnector // import "github.com/agora-otelcol/agora-otelcol/connector/agorametricsconnector"

import (
	"errors"
	"time"
)

// Config defines the connector's settings.
type Config struct {
	// Interval is how often the cumulative metrics are sent on. Default: 10s.
	Interval time.Duration `mapstructure:"interval"`
	// MaxWorkflowsPerOrg bounds the workflows an org has series for; more
	// are counted under workflow "_other". Default: 200.
	MaxWorkflowsPerOrg int `mapstructure:"max_workflows_per_org"`
	// MaxNodesPerWorkflow bounds the node names of a workflow's node
	// duration series; more go under node "_other". Default: 100.
	MaxNodesPerWorkflow int `mapstructure:"max_nodes_per_workflow"`
	// MaxModelsPerOrg bounds the models of an org's token and cost series;
	// more go under model "_other". Default: 50.
	MaxModelsPerOrg int `mapstructure:"max_models_per_org"`
	// DurationBuckets are the histograms' bounds in seconds. Default:
	// 0.1 to 3600, suited to runs of seconds to minutes.
	DurationBuckets []float64 `mapstructure:"duration_buckets"`
}

var (
	errInterval = errors.New("interval must be positive")
	errLimits   = errors.New("max_workflows_per_org, max_nodes_per_workflow and max_models_per_org must be positive")
	errBuckets  = errors.New("duration_buckets must be increasing and positive")
)

// Validate checks the config.
func (cfg *Config) Validate() error {
	var errs error
	if cfg.Interval <= 0 {
		errs = errors.Join(errs, errInterval)
	}
	if cfg.MaxWorkflowsPerOrg <= 0 || cfg.MaxNodesPerWorkflow <= 0 || cfg.MaxModelsPerOrg <= 0 {
		errs = errors.Join(errs, errLimits)
	}
	for i, b := range cfg.DurationBuckets {
		if b <= 0 || i > 0 && b <= cfg.DurationBuckets[i-1] {
			errs = errors.Join(errs, errBuckets)
			break
		}
	}
	return errs
}
