package agora

import (
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// A workflow's graph, as the Agora SDK registers it at every flow start:
// its nodes (with their source code) and the edges between them (with the
// action that takes them). The newest registration of a node or edge wins.
const (
	EventGraphNode = "agora.workflow.node"
	EventGraphEdge = "agora.workflow.edge"

	FieldName       = "name"
	FieldType       = "type"
	FieldCode       = "code"
	FieldConfig     = "config"
	FieldFromNodeID = "from_node_id"
	FieldToNodeID   = "to_node_id"
	FieldAction     = "action"
)

// GraphNode is one node of a workflow's graph. Scope names the workflow
// (and its project); ExecutionID is nil.
type GraphNode struct {
	Scope
	ID         uuid.UUID // NodeID(workflow, name)
	Name, Type string
	Code       string
	Config     pcommon.Value
	At         time.Time // when it was registered
}

// Append writes the node as a log record (agora.workflow.node).
func (n *GraphNode) Append(lrs plog.LogRecordSlice) plog.LogRecord {
	lr, b := newRecord(lrs, EventGraphNode, n.Scope, n.At, n.ID, 4)
	b.PutStr(FieldName, n.Name)
	putStrIf(b, FieldType, n.Type)
	putStrIf(b, FieldCode, n.Code)
	putValue(b, FieldConfig, n.Config)
	return lr
}

// DecodeGraphNode reads a record written by GraphNode.Append.
func DecodeGraphNode(lr plog.LogRecord) (GraphNode, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return GraphNode{}, err
	}
	n := GraphNode{Scope: ScopeOf(lr), Name: Str(b, FieldName), Type: Str(b, FieldType), Code: Str(b, FieldCode),
		Config: value(b, FieldConfig), At: lr.Timestamp().AsTime()}
	n.ID, err = itemID(lr)
	return n, err
}

// GraphEdge is one edge of a workflow's graph: From's action leads to To.
type GraphEdge struct {
	Scope
	ID       uuid.UUID // EdgeID(workflow, from, to)
	From, To uuid.UUID // node ids
	Action   string
	At       time.Time
}

// EdgeID is the id of the edge from one node to another in a workflow.
func EdgeID(workflow, from, to uuid.UUID) uuid.UUID {
	return ItemID(workflow, "edge", from.String(), to.String())
}

// Append writes the edge as a log record (agora.workflow.edge).
func (e *GraphEdge) Append(lrs plog.LogRecordSlice) plog.LogRecord {
	lr, b := newRecord(lrs, EventGraphEdge, e.Scope, e.At, e.ID, 3)
	b.PutStr(FieldFromNodeID, e.From.String())
	b.PutStr(FieldToNodeID, e.To.String())
	putStrIf(b, FieldAction, e.Action)
	return lr
}

// DecodeGraphEdge reads a record written by GraphEdge.Append.
func DecodeGraphEdge(lr plog.LogRecord) (GraphEdge, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return GraphEdge{}, err
	}
	e := GraphEdge{Scope: ScopeOf(lr), Action: Str(b, FieldAction), At: lr.Timestamp().AsTime()}
	if e.ID, err = itemID(lr); err != nil {
		return e, err
	}
	if e.From, err = uuid.Parse(Str(b, FieldFromNodeID)); err != nil {
		return e, err
	}
	e.To, err = uuid.Parse(Str(b, FieldToNodeID))
	return e, err
}
