package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"path"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// usage is what one span says about LLM use.
type usage struct {
	prompt, completion, total int64
	cost                      float64
	hasCost                   bool
	// llm: the span is an LLM call. Where a node has any, only LLM calls
	// count, so usage repeated on agent or phase spans is never counted twice.
	llm bool
	// model and provider the span names; of a sum, the first in name
	// order, so every version of a record says the same.
	model, provider string
}

func (u usage) empty() bool { return u.prompt == 0 && u.completion == 0 && u.total == 0 && !u.hasCost }

func (u *usage) add(o usage) {
	u.prompt = agora.AddCount(u.prompt, o.prompt)
	u.completion = agora.AddCount(u.completion, o.completion)
	u.total = agora.AddCount(u.total, o.total)
	u.cost += o.cost
	u.hasCost = u.hasCost || o.hasCost
	if o.model != "" && (u.model == "" || o.model < u.model || (o.model == u.model && o.provider < u.provider)) {
		u.model, u.provider = o.model, o.provider
	}
}

// usageOf reads a span's usage; cost comes from the span when it has one
// (the sender's value wins), else from the price table. Values out of
// bounds are ignored and counted in ignored.
func usageOf(attrs pcommon.Map, prices []Price, llm bool, ignored *int) usage {
	u := usage{llm: llm}
	u.prompt, _ = firstCount(attrs, agora.UsagePromptKeys, ignored)
	u.completion, _ = firstCount(attrs, agora.UsageCompletionKeys, ignored)
	if t, ok := firstCount(attrs, agora.UsageTotalKeys, ignored); ok {
		u.total = t
	} else {
		u.total = u.prompt + u.completion
	}
	for _, k := range agora.UsageCostKeys {
		if c, ok := bounded(attrs, k, agora.CostOK, ignored); ok {
			u.cost, u.hasCost = c, true
			break
		}
	}
	// A span that reports usage without being an LLM call (an exec phase
	// of the Agora SDK) still names the model it paid for.
	if u.llm || u.prompt > 0 || u.completion > 0 || u.total > 0 {
		u.model, u.provider = firstStr(attrs, agora.ModelKeys), firstStr(attrs, agora.ProviderKeys)
	}
	if !u.hasCost && (u.prompt > 0 || u.completion > 0) {
		if p, ok := priceOf(attrs, prices); ok {
			u.cost = (float64(u.prompt)*p.Prompt + float64(u.completion)*p.Completion) / 1e6
			u.hasCost = true
		}
	}
	return u
}

func firstStr(attrs pcommon.Map, keys []string) string {
	for _, k := range keys {
		if s := agora.Str(attrs, k); s != "" {
			return s
		}
	}
	return ""
}

// priceOf is the first price whose model pattern matches the span's model.
func priceOf(attrs pcommon.Map, prices []Price) (Price, bool) {
	model := ""
	for _, k := range agora.ModelKeys {
		if model = agora.Str(attrs, k); model != "" {
			break
		}
	}
	for _, p := range prices {
		if ok, _ := path.Match(p.Model, model); ok {
			return p, true
		}
	}
	return Price{}, false
}

func firstCount(attrs pcommon.Map, keys []string, ignored *int) (int64, bool) {
	for _, k := range keys {
		if f, ok := bounded(attrs, k, agora.CountOK, ignored); ok {
			return int64(f), true
		}
	}
	return 0, false
}

// usageSum totals a set of usage spans under the no-double-counting rule:
// LLM calls when there are any, else every span's own usage.
type usageSum struct{ llm, other usage }

func (s *usageSum) add(u usage) {
	if u.llm {
		s.llm.add(u)
	} else {
		s.other.add(u)
	}
}

func (s usageSum) total() usage {
	if !s.llm.empty() {
		return s.llm
	}
	return s.other
}

// Attribution: usage goes to the node below which its span was made.

// onUsage: LLM usage of a span, given to its node when the way up is known.
func (e *execution) onUsage(f *spanFacts) {
	u := pendingUsage{parent: f.parent, nodeName: f.usageNode, start: f.start, usage: f.usage}
	if nd := e.up(f.id); nd != nil {
		nd.usage.set(f.id, u.usage)
		nd.dirty = true
		return
	}
	e.pendingUsage.set(f.id, u)
}

// up finds the node of a span by walking parent links.
func (e *execution) up(sp pcommon.SpanID) *node {
	for range 32 {
		if nd, _ := e.bySpan.get(sp); nd != nil {
			return nd
		}
		p, ok := e.parents.get(sp)
		if !ok {
			return nil
		}
		sp = p
	}
	return nil
}

// resolveUsage gives pending usage to nodes newly found.
func (e *execution) resolveUsage() {
	var buf [8]pcommon.SpanID
	resolved := buf[:0]
	for id, u := range e.pendingUsage.all() {
		if nd := e.up(id); nd != nil {
			nd.usage.set(id, u.usage)
			nd.dirty = true
			resolved = append(resolved, id)
		}
	}
	for _, id := range resolved {
		e.pendingUsage.del(id)
	}
}

// byName is the fallback for usage whose span links never reach a node: the
// node of that name running when the call started, else its latest run.
func (e *execution) byName(u pendingUsage) *node {
	if u.nodeName == "" {
		return nil
	}
	var best *node
	for _, nd := range e.nodes.all() {
		if nd.rec.NodeName != u.nodeName {
			continue
		}
		end := nd.rec.StartedAt
		if nd.rec.CompletedAt != nil {
			end = *nd.rec.CompletedAt
		}
		if !u.start.Before(nd.rec.StartedAt) && !u.start.After(end) {
			return nd
		}
		if best == nil || nd.rec.StartedAt.After(best.rec.StartedAt) {
			best = nd
		}
	}
	return best
}
