package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"time"

	"github.com/ClickHouse/ch-go/proto"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// graphNodeColumns are the workflow_nodes table's.
type graphNodeColumns struct {
	orgID, projectName, workflowName, typ *dictColumn
	workflowID, id                        proto.ColUUID
	name, code, config                    proto.ColStr
	at                                    *proto.ColDateTime64
}

func newGraphNodeColumns() *graphNodeColumns {
	return &graphNodeColumns{orgID: newDict(), projectName: newDict(), workflowName: newDict(), typ: newDict(), at: dateTime64(proto.PrecisionMicro)}
}

func (c *graphNodeColumns) input() proto.Input {
	return proto.Input{
		{Name: "OrgId", Data: c.orgID}, {Name: "WorkflowId", Data: &c.workflowID}, {Name: "NodeId", Data: &c.id},
		{Name: "ProjectName", Data: c.projectName}, {Name: "WorkflowName", Data: c.workflowName}, {Name: "Name", Data: &c.name},
		{Name: "Type", Data: c.typ}, {Name: "Code", Data: &c.code}, {Name: "Config", Data: &c.config}, {Name: "RegisteredAt", Data: c.at},
	}
}

func (c *graphNodeColumns) reset() { resetAll(c.input()) }

func (c *graphNodeColumns) append(it record[agora.GraphNode], window agora.TimeWindow, now time.Time) {
	n := &it.rec
	c.orgID.Append(it.orgID)
	c.workflowID.Append(n.WorkflowID)
	c.id.Append(n.ID)
	c.projectName.Append(n.ProjectName)
	c.workflowName.Append(n.WorkflowName)
	c.name.Append(n.Name)
	c.typ.Append(n.Type)
	c.code.Append(n.Code)
	appendJSONText(&c.config, n.Config)
	at, _ := window.Clamp(n.At, now)
	c.at.Append(at)
}

// graphEdgeColumns are the workflow_edges table's.
type graphEdgeColumns struct {
	orgID, action                *dictColumn
	workflowID, id, fromID, toID proto.ColUUID
	at                           *proto.ColDateTime64
}

func newGraphEdgeColumns() *graphEdgeColumns {
	return &graphEdgeColumns{orgID: newDict(), action: newDict(), at: dateTime64(proto.PrecisionMicro)}
}

func (c *graphEdgeColumns) input() proto.Input {
	return proto.Input{
		{Name: "OrgId", Data: c.orgID}, {Name: "WorkflowId", Data: &c.workflowID}, {Name: "EdgeId", Data: &c.id},
		{Name: "FromNodeId", Data: &c.fromID}, {Name: "ToNodeId", Data: &c.toID}, {Name: "Action", Data: c.action},
		{Name: "RegisteredAt", Data: c.at},
	}
}

func (c *graphEdgeColumns) reset() { resetAll(c.input()) }

func (c *graphEdgeColumns) append(it record[agora.GraphEdge], window agora.TimeWindow, now time.Time) {
	e := &it.rec
	c.orgID.Append(it.orgID)
	c.workflowID.Append(e.WorkflowID)
	c.id.Append(e.ID)
	c.fromID.Append(e.From)
	c.toID.Append(e.To)
	c.action.Append(e.Action)
	at, _ := window.Clamp(e.At, now)
	c.at.Append(at)
}
