//go:build integration

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const module = "github.com/agora-otelcol/agora-otelcol"

type entry struct {
	GoMod  string `yaml:"gomod"`
	Import string `yaml:"import"`
}

type manifest struct {
	Receivers, Processors, Exporters, Extensions, Connectors, Providers []entry
	Replaces                                                            []string
}

func readManifest(t testing.TB) manifest { return readManifestAt(t, "../../builder-config.yaml") }

func readManifestAt(t testing.TB, path string) manifest {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var m manifest
	require.NoError(t, yaml.Unmarshal(b, &m))
	return m
}

// TestManifestListsEveryComponent fails when a component folder of this
// project is missing from builder-config.yaml, or the manifest names one
// that does not exist.
func TestManifestListsEveryComponent(t *testing.T) {
	m := readManifest(t)
	var listed []string
	for _, group := range [][]entry{m.Receivers, m.Processors, m.Exporters, m.Extensions, m.Connectors} {
		for _, c := range group {
			if strings.HasPrefix(c.Import, module+"/") {
				listed = append(listed, strings.TrimPrefix(c.Import, module+"/"))
			}
		}
	}
	var present []string
	for _, kind := range []string{"receiver", "processor", "exporter", "extension", "connector"} {
		factories, _ := filepath.Glob(filepath.Join("../..", kind, "*", "factory.go"))
		for _, f := range factories {
			rel, _ := filepath.Rel("../..", filepath.Dir(f))
			present = append(present, filepath.ToSlash(rel))
		}
	}
	sort.Strings(listed)
	sort.Strings(present)
	assert.Equal(t, present, listed, "builder-config.yaml must list exactly the components under receiver/ processor/ exporter/ extension/ connector/")
	assert.Contains(t, m.Replaces, module+" => ../")
}

// TestOneCollectorRelease: every collector module, in the manifest and in
// go.mod, is at the release DESIGN.md pins.
func TestOneCollectorRelease(t *testing.T) {
	want := map[string]string{"v0": "v0.165.0", "v1": "v1.71.0", "contrib": "v0.165.1"}
	check := func(where, path, version string) {
		switch {
		case strings.HasPrefix(path, "go.opentelemetry.io/collector"):
			assert.Equal(t, want[version[:2]], version, "%s: %s", where, path)
		case strings.HasPrefix(path, "github.com/open-telemetry/opentelemetry-collector-contrib"):
			assert.Equal(t, want["contrib"], version, "%s: %s", where, path)
		}
	}
	// The distribution, and the contrib collector make bench-compare builds.
	for _, path := range []string{"../../builder-config.yaml", "../../bench/contrib/builder-config.yaml"} {
		m := readManifestAt(t, path)
		for _, group := range [][]entry{m.Receivers, m.Processors, m.Exporters, m.Extensions, m.Connectors, m.Providers} {
			for _, c := range group {
				f := strings.Fields(c.GoMod)
				require.Len(t, f, 2, c.GoMod)
				check(path, f[0], f[1])
			}
		}
	}
	gomod, err := os.ReadFile("../../go.mod")
	require.NoError(t, err)
	for _, match := range regexp.MustCompile(`(?m)^\s*(\S+) (v\d+\.\d+\.\d+\S*)`).FindAllStringSubmatch(string(gomod), -1) {
		check("go.mod", match[1], match[2])
	}
}
