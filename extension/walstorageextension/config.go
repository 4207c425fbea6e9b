package walstorageextension // import "github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"

import (
	"errors"
	"fmt"
)

const (
	defaultSegmentSize = 64 << 20
	minSegmentSize     = 1 << 20
)

// Config defines the extension's settings.
type Config struct {
	// Directory holds one subdirectory of segment files per client. Required.
	Directory string `mapstructure:"directory"`
	// CreateDirectory creates Directory (mode 0750) at start when it is missing.
	CreateDirectory bool `mapstructure:"create_directory"`
	// Fsync syncs each batch (and each new segment's directory entry) to
	// disk before it returns: what protects against power loss, at one disk
	// flush per batch. Without it a batch survives a crash of the process
	// (kill -9), not necessarily of the machine.
	Fsync bool `mapstructure:"fsync"`
	// SegmentSize is the size, in bytes, at which a client starts a new
	// segment file; whole segments are deleted once nothing in them is live.
	SegmentSize int64 `mapstructure:"segment_size"`
}

var errNoDirectory = errors.New("directory must be set")

// Validate checks the config.
func (cfg *Config) Validate() error {
	if cfg.Directory == "" {
		return errNoDirectory
	}
	if cfg.SegmentSize < minSegmentSize {
		return fmt.Errorf("segment_size must be at least %d bytes, got %d", minSegmentSize, cfg.SegmentSize)
	}
	return nil
}
