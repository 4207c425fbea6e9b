package benchcompare

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Report is the ratio table of a run: per target the median of its rounds,
// agora-otelcol's figures as ratios to each contrib setup.
func Report(results []Result) string {
	byName := map[string][]Result{}
	var names []string
	for _, r := range results {
		if _, ok := byName[r.Name]; !ok {
			names = append(names, r.Name)
		}
		byName[r.Name] = append(byName[r.Name], r)
	}
	med := func(name string, f func(Result) float64) float64 {
		var v []float64
		for _, r := range byName[name] {
			v = append(v, f(r))
		}
		if len(v) == 0 {
			return 0
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	perCPU := func(r Result) float64 { return r.PerCollectorCPU() }
	engine := func(r Result) float64 { return r.EngineMicrosPerItem() }
	settled := func(r Result) float64 { return r.SettledMicrosPerItem() }
	parts := func(r Result) float64 { return float64(r.Parts) }
	wall := func(r Result) float64 { return r.Wall.Seconds() }
	rss := func(r Result) float64 { return float64(r.PeakRSS) / (1 << 20) }

	var b strings.Builder
	fmt.Fprintf(&b, "| target | items | per collector CPU-second | ClickHouse CPU per item | with the merges after | parts left | wall time | peak RSS |\n|---|---|---|---|---|---|---|---|\n")
	for _, n := range names {
		r := byName[n][0]
		fmt.Fprintf(&b, "| %s | %d %s | %.0fk | %.1f µs | %.1f µs | %.0f | %.1f s | %.0f MB |\n", n, r.Items, r.Kind,
			med(n, perCPU)/1000, med(n, engine), med(n, settled), med(n, parts), med(n, wall), med(n, rss))
	}
	const agora = "agora-otelcol"
	if _, ok := byName[agora]; ok {
		for _, n := range names {
			if !strings.HasPrefix(n, "contrib") {
				continue
			}
			fmt.Fprintf(&b, "\nagora-otelcol vs %s: %.2f× spans per collector CPU-second, %.2f× ClickHouse CPU per span (%.2f× with the merges after), %.2f× wall time, %.2f× peak RSS\n",
				n, med(agora, perCPU)/med(n, perCPU), med(agora, engine)/med(n, engine), med(agora, settled)/med(n, settled), med(agora, wall)/med(n, wall), med(agora, rss)/med(n, rss))
		}
	}
	if rs := byName["agora-otelcol API"]; len(rs) > 0 {
		var fresh []time.Duration
		for _, r := range rs {
			fresh = append(fresh, r.FreshP99)
		}
		slices.Sort(fresh)
		fmt.Fprintf(&b, "Agora API (SDK shape): %.0fk node items per collector CPU-second; an SDK call visible in the UI's API within %s (p99)\n",
			med("agora-otelcol API", perCPU)/1000, fresh[len(fresh)-1].Round(10*time.Millisecond))
	}
	return b.String()
}
