package testutil

import (
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// LoadConfig reads the config named id (e.g. "" for the type alone, or
// "full") from the package's testdata/config.yaml over the factory's
// defaults, as the collector would.
func LoadConfig[C any](t testing.TB, f component.Factory, name string) *C {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatalf("testdata/config.yaml: %v", err)
	}
	sub, err := cm.Sub(component.NewIDWithName(f.Type(), name).String())
	if err != nil {
		t.Fatalf("config %q: %v", name, err)
	}
	cfg := f.CreateDefaultConfig()
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatalf("config %q: %v", name, err)
	}
	c, ok := cfg.(*C)
	if !ok {
		t.Fatalf("config %q is a %T", name, cfg)
	}
	return c
}
