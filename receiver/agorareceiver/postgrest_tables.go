package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/valyala/fastjson"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// pgTable is one table the SDK writes: its columns (others are refused as
// PostgREST refuses them) and the operations it uses.
type pgTable struct {
	columns map[string]bool
	sel     func(r *agoraReceiver, rq *request, q pgQuery) ([]map[string]any, error)
	insert  func(r *agoraReceiver, rq *request, o *object) (map[string]any, error)
	update  func(r *agoraReceiver, rq *request, q pgQuery, patch *fastjson.Value) ([]map[string]any, error)
}

func columns(names ...string) map[string]bool {
	m := map[string]bool{"id": true, "created_at": true, "updated_at": true}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var pgTables = map[string]*pgTable{
	"organizations":   {columns: columns("name", "description"), sel: selOrg, insert: insertOrg},
	"projects":        {columns: columns("organization_id", "name", "description"), sel: selProject, insert: insertProject},
	"workflows":       {columns: columns("project_id", "name", "type", "config", "description"), sel: selWorkflow, insert: insertWorkflow},
	"nodes":           {columns: columns("workflow_id", "name", "type", "code", "config", "description"), sel: selNode, insert: insertNode, update: updateNode},
	"edges":           {columns: columns("workflow_id", "from_node_id", "to_node_id", "action"), sel: selEdge, insert: insertEdge},
	"executions":      {columns: columns("workflow_id", "status", "input_data", "output_data", "started_at", "completed_at", "duration_ms", "error_message", "metadata"), sel: selExecution, insert: insertExecution, update: updateExecution},
	"node_executions": {columns: columns("execution_id", "node_id", "status", "started_at", "completed_at", "prep_duration_ms", "exec_duration_ms", "post_duration_ms", "error_message", "retry_count", "tokens_used", "estimated_cost", "input_data", "output_data"), sel: selNothing, insert: insertNodeExecution},
	"telemetry_spans": {columns: columns("execution_id", "span_id", "trace_id", "parent_span_id", "name", "kind", "status", "status_message", "start_time", "end_time", "duration_ms", "attributes", "events", "tokens_used", "estimated_cost"), sel: selNothing, insert: insertSpan},
}

// selNothing: rows the collector keeps only as telemetry are not read back.
func selNothing(*agoraReceiver, *request, pgQuery) ([]map[string]any, error) { return nil, nil }

// idFilter is an eq filter on a uuid column; ok is false when absent or
// not a uuid (no row can match).
func idFilter(q pgQuery, col string) (uuid.UUID, bool) {
	id, err := uuid.Parse(q.eq[col])
	return id, err == nil
}

// Organizations are not created by senders: the org is the key's, the one
// row the caller can see.
func selOrg(_ *agoraReceiver, rq *request, q pgQuery) ([]map[string]any, error) {
	if id, ok := q.eq["id"]; ok && id != rq.org.OrgID {
		return nil, nil
	}
	return []map[string]any{{"id": rq.org.OrgID, "name": rq.org.OrgName}}, nil
}

func insertOrg(r *agoraReceiver, rq *request, _ *object) (map[string]any, error) {
	rows, err := selOrg(r, rq, pgQuery{})
	return rows[0], err
}

func projectRow(org string, id uuid.UUID, name string) map[string]any {
	return map[string]any{"id": id.String(), "organization_id": org, "name": name}
}

// Projects, workflows: their ids are derived from the org and the names,
// so a lookup always finds them (and teaches the registry the name).
func selProject(r *agoraReceiver, rq *request, q pgQuery) ([]map[string]any, error) {
	if org, ok := q.eq["organization_id"]; ok && org != rq.org.OrgID {
		return nil, nil
	}
	if name, ok := q.eq["name"]; ok {
		id := agora.ProjectID(rq.org.OrgID, name)
		r.names.put(id, &named{org: rq.org.OrgID, name: name})
		return []map[string]any{projectRow(rq.org.OrgID, id, name)}, nil
	}
	if id, ok := idFilter(q, "id"); ok {
		if n, ok := r.names.get(rq.org.OrgID, id); ok {
			return []map[string]any{projectRow(rq.org.OrgID, id, n.name)}, nil
		}
	}
	return nil, nil
}

func insertProject(r *agoraReceiver, rq *request, o *object) (map[string]any, error) {
	name := o.str("name", true)
	if org := o.str("organization_id", false); org != "" && org != rq.org.OrgID {
		o.fail("organization_id", "not the org of this API key")
	}
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	rows, err := selProject(r, rq, pgQuery{eq: map[string]string{"name": name}})
	return rows[0], err
}

func workflowRow(id, project uuid.UUID, name string) map[string]any {
	return map[string]any{"id": id.String(), "project_id": project.String(), "name": name, "type": "sequential"}
}

func selWorkflow(r *agoraReceiver, rq *request, q pgQuery) ([]map[string]any, error) {
	if project, ok := idFilter(q, "project_id"); ok {
		name, ok := q.eq["name"]
		if !ok {
			return nil, nil
		}
		id := agora.WorkflowID(project, name)
		n := &named{org: rq.org.OrgID, name: name, parent: project}
		if p, ok := r.names.get(rq.org.OrgID, project); ok {
			n.project = p.name
		}
		r.names.put(id, n)
		return []map[string]any{workflowRow(id, project, name)}, nil
	}
	if id, ok := idFilter(q, "id"); ok {
		if n, ok := r.names.get(rq.org.OrgID, id); ok {
			return []map[string]any{workflowRow(id, n.parent, n.name)}, nil
		}
	}
	return nil, nil
}

func insertWorkflow(r *agoraReceiver, rq *request, o *object) (map[string]any, error) {
	name, project := o.str("name", true), o.uuid("project_id")
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	rows, err := selWorkflow(r, rq, pgQuery{eq: map[string]string{"project_id": project.String(), "name": name}})
	return rows[0], err
}

// workflowScope is the scope of a workflow id the registry knows; an
// unknown one (the SDK looked it up on another replica) keeps its id and is
// named by it.
func (r *agoraReceiver) workflowScope(org string, workflow uuid.UUID) agora.Scope {
	s := agora.Scope{WorkflowID: workflow, WorkflowName: workflow.String()}
	if n, ok := r.names.get(org, workflow); ok {
		s.WorkflowName, s.ProjectID, s.ProjectName = n.name, n.parent, n.project
		if s.ProjectName == "" {
			s.ProjectName = agora.DefaultProjectName
		}
	}
	return s
}

func nodeRow(id uuid.UUID, n *named) map[string]any {
	return map[string]any{"id": id.String(), "workflow_id": n.parent.String(), "name": n.name, "type": n.typ, "code": n.code}
}

// Nodes and edges are found only once registered here (inserted), so the
// SDK inserts them — with their type, code and config — after a restart.
func selNode(r *agoraReceiver, rq *request, q pgQuery) ([]map[string]any, error) {
	var id uuid.UUID
	if workflow, ok := idFilter(q, "workflow_id"); ok && q.eq["name"] != "" {
		id = agora.NodeID(workflow, q.eq["name"])
	} else if id, ok = idFilter(q, "id"); !ok {
		return nil, nil
	}
	if n, ok := r.names.get(rq.org.OrgID, id); ok && n.typ != "" {
		return []map[string]any{nodeRow(id, n)}, nil
	}
	return nil, nil
}

func insertNode(r *agoraReceiver, rq *request, o *object) (map[string]any, error) {
	workflow, name := o.uuid("workflow_id"), o.str("name", true)
	n := &named{org: rq.org.OrgID, name: name, parent: workflow, typ: o.str("type", false), code: o.str("code", false), config: o.objectValue("config")}
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	if n.typ == "" {
		n.typ = "node"
	}
	id := agora.NodeID(workflow, name)
	r.names.put(id, n)
	r.emitNode(rq, id, n)
	return nodeRow(id, n), nil
}

// updateNode is the SDK's update of a registered node's code.
func updateNode(r *agoraReceiver, rq *request, q pgQuery, patch *fastjson.Value) ([]map[string]any, error) {
	id, ok := idFilter(q, "id")
	if !ok {
		return nil, nil
	}
	n, ok := r.names.get(rq.org.OrgID, id)
	if !ok {
		return nil, nil
	}
	o, err := (&object{window: rq.window}).child("", patch)
	if err != nil {
		return nil, badRequest{err}
	}
	updated := *n
	if v := o.raw("code"); v != nil {
		updated.code = o.str("code", false)
	}
	if v := o.raw("type"); v != nil {
		updated.typ = o.str("type", false)
	}
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	r.names.put(id, &updated)
	r.emitNode(rq, id, &updated)
	return []map[string]any{nodeRow(id, &updated)}, nil
}

func (r *agoraReceiver) emitNode(rq *request, id uuid.UUID, n *named) {
	g := agora.GraphNode{Scope: r.workflowScope(rq.org.OrgID, n.parent), ID: id, Name: n.name, Type: n.typ, Code: n.code, Config: n.config, At: time.Now().UTC()}
	g.Append(rq.out.lrs)
}

func edgeRow(id, workflow, from, to uuid.UUID, action string) map[string]any {
	return map[string]any{"id": id.String(), "workflow_id": workflow.String(), "from_node_id": from.String(), "to_node_id": to.String(), "action": action}
}

func selEdge(r *agoraReceiver, rq *request, q pgQuery) ([]map[string]any, error) {
	workflow, ok1 := idFilter(q, "workflow_id")
	from, ok2 := idFilter(q, "from_node_id")
	to, ok3 := idFilter(q, "to_node_id")
	if !ok1 || !ok2 || !ok3 {
		return nil, nil
	}
	id := agora.EdgeID(workflow, from, to)
	if n, ok := r.names.get(rq.org.OrgID, id); ok {
		return []map[string]any{edgeRow(id, workflow, from, to, n.name)}, nil
	}
	return nil, nil
}

func insertEdge(r *agoraReceiver, rq *request, o *object) (map[string]any, error) {
	workflow, from, to, action := o.uuid("workflow_id"), o.uuid("from_node_id"), o.uuid("to_node_id"), o.str("action", false)
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	id := agora.EdgeID(workflow, from, to)
	r.names.put(id, &named{org: rq.org.OrgID, name: action, parent: workflow})
	e := agora.GraphEdge{Scope: r.workflowScope(rq.org.OrgID, workflow), ID: id, From: from, To: to, Action: action, At: time.Now().UTC()}
	e.Append(rq.out.lrs)
	return edgeRow(id, workflow, from, to, action), nil
}

// insertExecution starts an execution. Its id carries the org's MAC, as the
// /telemetry start's does, and is derived from the workflow, start time and
// input, so the SDK's retry of the insert gets the same execution.
func insertExecution(r *agoraReceiver, rq *request, o *object) (map[string]any, error) {
	workflow := o.uuid("workflow_id")
	start := time.Now().UTC()
	if t, ok := o.timestamp(agora.FieldStartedAt, false); ok {
		start = t
	}
	input := o.objectValue(agora.FieldInputData)
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	sum := sha256.Sum256([]byte(workflow.String() + "\x00" + start.Format(time.RFC3339Nano) + "\x00" + input.AsString()))
	s := r.workflowScope(rq.org.OrgID, workflow)
	s.ExecutionID = r.ids.New(rq.org.OrgID, start, sum[:4])
	(&agora.ExecutionStart{Scope: s, StartedAt: start, Input: input}).Append(rq.out.lrs)
	return map[string]any{"id": s.ExecutionID.String(), "workflow_id": workflow.String(), "status": string(agora.StatusRunning),
		"started_at": start.Format(time.RFC3339Nano), "input_data": input.AsRaw()}, nil
}

// selExecution answers what the SDK reads back: an execution's start time
// (carried in its id), for the caller's own executions only.
func selExecution(r *agoraReceiver, rq *request, q pgQuery) ([]map[string]any, error) {
	exec, err := r.owned(rq.org, q.eq["id"])
	if err != nil {
		return nil, nil // another org's execution is a row the caller cannot see
	}
	return []map[string]any{{"id": exec.String(), "started_at": agora.StartTime(exec).Format(time.RFC3339Nano)}}, nil
}

// updateExecution is the SDK's completion.
func updateExecution(r *agoraReceiver, rq *request, q pgQuery, patch *fastjson.Value) ([]map[string]any, error) {
	exec, err := r.owned(rq.org, q.eq["id"])
	if err != nil {
		return nil, nil // no row the caller can see: nothing updated
	}
	o, err := (&object{window: rq.window}).child("", patch)
	if err != nil {
		return nil, badRequest{err}
	}
	c := agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, CompletedAt: time.Now().UTC(),
		Status: o.status(agora.FieldStatus, agora.ExecutionStatuses), Output: o.objectValue(agora.FieldOutputData),
		ErrorMessage: o.str(agora.FieldErrorMessage, false)}
	if t, ok := o.timestamp(agora.FieldCompletedAt, false); ok {
		c.CompletedAt = t
	}
	c.DurationMs = max(0, float64(c.CompletedAt.Sub(agora.StartTime(exec)))/float64(time.Millisecond))
	if d := o.duration(agora.FieldDurationMs); d != nil {
		c.DurationMs = *d
	}
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	c.Append(rq.out.lrs)
	return []map[string]any{{"id": exec.String(), "status": string(c.Status), "completed_at": c.CompletedAt.Format(time.RFC3339Nano), "duration_ms": c.DurationMs}}, nil
}

// errForeignKey is PostgREST's answer to a row referring to one the caller
// cannot see (another org's execution).
func errForeignKey(table, column string) pgError {
	return pgError{status: http.StatusConflict, code: "23503",
		message: "insert or update on table \"" + table + "\" violates foreign key constraint \"" + table + "_" + column + "_fkey\""}
}

// nodeFields are the node_executions columns the /telemetry node item
// shares, by their /telemetry names.
var nodeFields = map[string]string{
	"status": agora.FieldStatus, "started_at": agora.FieldStartedAt, "completed_at": agora.FieldCompletedAt,
	"prep_duration_ms": agora.FieldPrepDurationMs, "exec_duration_ms": agora.FieldExecDurationMs, "post_duration_ms": agora.FieldPostDurationMs,
	"error_message": agora.FieldErrorMessage, "retry_count": agora.FieldRetryCount, "tokens_used": agora.FieldTotalTokens,
	"estimated_cost": agora.FieldEstimatedCost, "input_data": agora.FieldInputData, "output_data": agora.FieldOutputData,
}

// insertNodeExecution is one node run: the same node record as the
// /telemetry node item, its node's name from the lookup that preceded it.
func insertNodeExecution(r *agoraReceiver, rq *request, o *object) (map[string]any, error) {
	exec, err := r.owned(rq.org, o.str("execution_id", true))
	if err != nil {
		return nil, errForeignKey("node_executions", "execution_id")
	}
	node := o.uuid("node_id")
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	name, typ := node.String(), "node"
	if n, ok := r.names.get(rq.org.OrgID, node); ok {
		name, typ = n.name, n.typ
	}
	var a fastjson.Arena
	item := a.NewObject()
	item.Set(agora.FieldNodeName, a.NewString(name))
	item.Set(agora.FieldNodeType, a.NewString(typ))
	for col, field := range nodeFields {
		if v := o.obj.Get(col); v != nil {
			item.Set(field, v)
		}
	}
	no, err := o.child("", item)
	if err != nil {
		return nil, badRequest{err}
	}
	id, err := decodeNode(no, agora.Scope{ExecutionID: exec}, rq.out)
	if err != nil {
		// Name the columns as the client sent them.
		return nil, badRequest{errorString(strings.ReplaceAll(err.Error(), agora.FieldTotalTokens+":", "tokens_used:"))}
	}
	return map[string]any{"id": id.String(), "execution_id": exec.String(), "node_id": node.String(), "status": o.str("status", false)}, nil
}

// insertSpan is one telemetry_spans row: the /telemetry span item.
func insertSpan(r *agoraReceiver, rq *request, o *object) (map[string]any, error) {
	exec, err := r.owned(rq.org, o.str("execution_id", true))
	if err != nil {
		return nil, errForeignKey("telemetry_spans", "execution_id")
	}
	id, err := decodeSpan(o, agora.Scope{ExecutionID: exec}, rq.out)
	if err != nil {
		return nil, badRequest{err}
	}
	return map[string]any{"id": id.String(), "execution_id": exec.String(), "span_id": o.str("span_id", false)}, nil
}

type errorString string

func (e errorString) Error() string { return string(e) }
