package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Emission: an execution's changed node records and its own record, each a
// complete version (the newest row alone is the truth), stamped with the
// collector's clock as their version.

const scopeName = "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

// newOrgRecords adds a resource for the org to ld and returns its records.
func newOrgRecords(ld plog.Logs, org, orgName string) plog.LogRecordSlice {
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(agora.AttrOrgID, org)
	rl.Resource().Attributes().PutStr(agora.AttrOrgName, orgName)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(scopeName)
	return sl.LogRecords()
}

// appendRecords writes the records of the nodes that changed and the
// execution's record, and marks everything clean.
func (e *execution) appendRecords(lrs plog.LogRecordSlice, enc agora.RecordEncoding, now time.Time) {
	version := pcommon.NewTimestampFromTime(now)
	byName, own := e.pendingUsageTotals()
	rec := e.rec
	if rec.Status == "" {
		rec.Status = agora.StatusRunning
	}
	rec.StartedAt = agora.PartitionStart(e.firstStart, e.startedAt())
	if e.firstStart.IsZero() {
		e.firstStart = rec.StartedAt
	}
	for _, nd := range e.nodes.all() {
		if nd.rec.NodeName == "" {
			continue
		}
		n := e.nodeRecord(nd, byName[nd])
		if nd.dirty {
			markRepeat(appendNode(lrs, enc, n, version), n.Status, &nd.settled)
			nd.dirty, nd.emitted = false, true
		}
		rec.NodeCount++
		if n.Status == agora.StatusError {
			rec.ErrorCount++
		}
		rec.RetryCount = agora.AddCount(rec.RetryCount, n.RetryCount)
		rec.PromptTokens = agora.AddCount(rec.PromptTokens, deref(n.PromptTokens))
		rec.CompletionTokens = agora.AddCount(rec.CompletionTokens, deref(n.CompletionTokens))
		rec.TotalTokens = agora.AddCount(rec.TotalTokens, deref(n.TotalTokens))
		if n.EstimatedCost != nil {
			rec.EstimatedCost += *n.EstimatedCost
		}
	}
	u := own.total()
	rec.PromptTokens = agora.AddCount(rec.PromptTokens, u.prompt)
	rec.CompletionTokens = agora.AddCount(rec.CompletionTokens, u.completion)
	rec.TotalTokens = agora.AddCount(rec.TotalTokens, u.total)
	rec.EstimatedCost += u.cost
	rec.Source = sourceName(e.sources)
	rec.TraceIDs = e.traceIDs()
	rec.Models = e.models()
	rec.Truncated = e.truncated
	lr := rec.AppendRecord(lrs, enc)
	lr.SetObservedTimestamp(version)
	markRepeat(lr, rec.Status, &e.settled)
	e.dirty, e.emitted = false, true
	e.lastEmitted = rec
}

// startedAt is the start the execution's record carries (before
// agora.PartitionStart): the SDK's or the flow span's, else its earliest
// node's, else when it was last seen.
func (e *execution) startedAt() time.Time {
	start := e.rec.StartedAt
	if start.IsZero() || !e.apiStarted && !e.flowSeen {
		for _, nd := range e.nodes.all() {
			if nd.rec.NodeName != "" && (start.IsZero() || nd.rec.StartedAt.Before(start)) {
				start = nd.rec.StartedAt
			}
		}
	}
	if start.IsZero() {
		start = e.rec.LastSeen
	}
	return start
}

// markRepeat flags a settled record when a settled version of it was
// emitted before, and notes that one now is.
func markRepeat(lr plog.LogRecord, s agora.Status, settled *bool) {
	if !s.Settled() {
		return
	}
	if *settled {
		lr.Attributes().PutBool(agora.AttrRecordRepeat, true)
	}
	*settled = true
}

// markEmitted marks a rebuilt execution as its emitted records left it.
func (e *execution) markEmitted() {
	e.fixStart()
	e.dirty, e.emitted, e.settled = false, true, e.rec.Status.Settled()
	for _, nd := range e.nodes.all() {
		nd.dirty, nd.emitted, nd.settled = false, true, nd.rec.Status.Settled()
	}
	e.lastEmitted = e.rec
}

// appendRetraction retracts what was emitted under this execution: the
// record and its nodes, as deleted versions.
func (e *execution) appendRetraction(lrs plog.LogRecordSlice, enc agora.RecordEncoding, now time.Time) {
	version := pcommon.NewTimestampFromTime(now)
	for _, nd := range e.nodes.all() {
		if nd.emitted {
			n := e.nodeRecord(nd, usageSum{})
			n.Deleted = true
			appendNode(lrs, enc, n, version)
		}
	}
	if e.emitted {
		rec := e.lastEmitted
		rec.StartedAt = agora.PartitionStart(e.firstStart, rec.StartedAt)
		rec.Deleted = true
		rec.AppendRecord(lrs, enc).SetObservedTimestamp(version)
	}
}

// nodeRecord is the node as emitted: the execution's names and ids, and its
// usage, unless the SDK reported the node with token fields of its own. Its
// node id is set by appendNode, for the records actually written.
func (e *execution) nodeRecord(nd *node, fallback usageSum) agora.NodeExecution {
	n := nd.rec
	n.Scope = e.rec.Scope
	if !(nd.reported && nd.rec.TotalTokens != nil) {
		sum := fallback
		for _, u := range nd.usage.all() {
			sum.add(u)
		}
		u := sum.total()
		n.Model, n.Provider = u.model, u.provider
		if !u.empty() {
			// A node's sums hold to an item's bounds, as its report would.
			p, c, t := min(u.prompt, agora.MaxCount), min(u.completion, agora.MaxCount), min(u.total, agora.MaxCount)
			n.PromptTokens, n.CompletionTokens, n.TotalTokens = &p, &c, &t
			if u.hasCost {
				cost := min(u.cost, agora.MaxCost)
				n.EstimatedCost = &cost
			}
		}
	}
	return n
}

// appendNode writes a node record, with the id of its workflow's node.
func appendNode(lrs plog.LogRecordSlice, enc agora.RecordEncoding, n agora.NodeExecution, version pcommon.Timestamp) plog.LogRecord {
	if n.WorkflowName != "" {
		n.NodeID = agora.NodeID(n.WorkflowID, n.NodeName)
	}
	lr := n.AppendRecord(lrs, enc)
	lr.SetObservedTimestamp(version)
	return lr
}

// models are every model the execution's LLM calls used, sorted.
func (e *execution) models() []string {
	var out []string
	for _, nd := range e.nodes.all() {
		for _, u := range nd.usage.all() {
			if u.model != "" {
				out = append(out, u.model)
			}
		}
	}
	for _, p := range e.pendingUsage.all() {
		if p.model != "" {
			out = append(out, p.model)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// pendingUsageTotals splits usage whose span links reached no node: by the
// node its agora.node name points at, else the execution's own.
func (e *execution) pendingUsageTotals() (map[*node]usageSum, usageSum) {
	var own usageSum
	if e.pendingUsage.len() == 0 {
		return nil, own
	}
	byName := map[*node]usageSum{}
	for _, u := range e.pendingUsage.all() {
		if nd := e.byName(u); nd != nil {
			s := byName[nd]
			s.add(u.usage)
			byName[nd] = s
		} else {
			own.add(u.usage)
		}
	}
	return byName, own
}

// traceIDs are the execution's traces, sorted, as hex.
func (e *execution) traceIDs() []string {
	if e.traces.len() == 0 {
		return nil
	}
	ids := make([]string, 0, e.traces.len())
	for t := range e.traces.all() {
		ids = append(ids, t.String())
	}
	slices.Sort(ids)
	return ids
}

// aliasedTraces are the traces filed under this execution although their
// id is another: the flow spans that named it.
func (e *execution) aliasedTraces() []uuid.UUID {
	var out []uuid.UUID
	for t := range e.traces.all() {
		if uuid.UUID(t) != e.key.exec {
			out = append(out, uuid.UUID(t))
		}
	}
	return out
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
