package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// scope names an execution and, when known, its project and workflow, with
// their deterministic ids.
func scope(o org, exec uuid.UUID, project, workflow string) agora.Scope {
	s := agora.Scope{ExecutionID: exec}
	if workflow != "" {
		if project == "" {
			project = agora.DefaultProjectName
		}
		s.ProjectName, s.ProjectID = project, agora.ProjectID(o.id, project)
		s.WorkflowName, s.WorkflowID = workflow, agora.WorkflowID(s.ProjectID, workflow)
	}
	return s
}

// owned parses an execution id and checks that this org started it.
func (r *agoraReceiver) owned(o org, id string) (uuid.UUID, error) {
	exec, err := uuid.Parse(id)
	if err != nil || !r.ids.Owns(o.id, exec) {
		return uuid.Nil, notFound{}
	}
	return exec, nil
}

func parseBody(body []byte) (*object, error) {
	o, err := parseObject("", body)
	if err != nil {
		return nil, badRequest{err}
	}
	return o, nil
}

// start_ is POST /telemetry/executions/start.
func (r *agoraReceiver) start_(rq *request) (any, error) {
	o, err := parseBody(rq.body)
	if err != nil {
		return nil, err
	}
	workflow := o.str(agora.FieldWorkflowName, true)
	project := o.str(agora.FieldProjectName, false)
	input := o.objectValue(agora.FieldInputData)
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	now := time.Now().UTC()
	s := scope(rq.org, r.ids.New(rq.org.id, now, nil), project, workflow)
	(&agora.ExecutionStart{Scope: s, StartedAt: now, Input: input}).Append(rq.out.lrs)
	return map[string]string{
		"execution_id": s.ExecutionID.String(), "workflow_id": s.WorkflowID.String(), "project_id": s.ProjectID.String(),
	}, nil
}

// complete is POST /telemetry/executions/{id}/complete.
func (r *agoraReceiver) complete(rq *request) (any, error) {
	exec, err := r.owned(rq.org, rq.execID)
	if err != nil {
		return nil, err
	}
	o, err := parseBody(rq.body)
	if err != nil {
		return nil, err
	}
	c := agora.ExecutionCompletion{
		Scope:        agora.Scope{ExecutionID: exec},
		CompletedAt:  time.Now().UTC(),
		Status:       o.oneOf(agora.FieldStatus, agora.ExecutionStatuses),
		Output:       o.objectValue(agora.FieldOutputData),
		ErrorMessage: o.str(agora.FieldErrorMessage, false),
	}
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	// The start time travels in the execution id: no lookup needed.
	c.DurationMs = max(0, float64(c.CompletedAt.Sub(agora.StartTime(exec)))/float64(time.Millisecond))
	c.Append(rq.out.lrs)
	return map[string]bool{"success": true}, nil
}

// itemEndpoint handles the single-item endpoints of an owned execution.
func (r *agoraReceiver) itemEndpoint(rq *request, responseKey string,
	decode func(o *object, raw []byte, s agora.Scope) (uuid.UUID, error),
) (any, error) {
	exec, err := r.owned(rq.org, rq.execID)
	if err != nil {
		return nil, err
	}
	o, err := parseBody(rq.body)
	if err != nil {
		return nil, err
	}
	id, err := decode(o, rq.body, agora.Scope{ExecutionID: exec})
	if err != nil {
		return nil, badRequest{err}
	}
	return map[string]string{responseKey: id.String()}, nil
}

// node is POST /telemetry/executions/{id}/nodes.
func (r *agoraReceiver) node(rq *request) (any, error) {
	return r.itemEndpoint(rq, "node_execution_id", func(o *object, _ []byte, s agora.Scope) (uuid.UUID, error) {
		return decodeNode(o, s, rq.out)
	})
}

// span is POST /telemetry/executions/{id}/spans. The answer is the stored
// row's id, derived from the execution, trace and span ids.
func (r *agoraReceiver) span(rq *request) (any, error) {
	return r.itemEndpoint(rq, "span_id", func(o *object, _ []byte, s agora.Scope) (uuid.UUID, error) {
		return decodeSpan(o, s, rq.out)
	})
}

// event is POST /telemetry/executions/{id}/events.
func (r *agoraReceiver) event(rq *request) (any, error) {
	return r.itemEndpoint(rq, "event_id", func(o *object, raw []byte, s agora.Scope) (uuid.UUID, error) {
		return decodeEvent(o, raw, s, rq.out)
	})
}

// batchResponse is the platform's batch answer plus, as extra fields, what
// was rejected and why.
type batchResponse struct {
	ExecutionID                  string   `json:"execution_id"`
	EventsIngested               int      `json:"events_ingested"`
	SpansIngested                int      `json:"spans_ingested"`
	NodeExecutionsIngested       int      `json:"node_executions_ingested"`
	SharedStateSnapshotsIngested int      `json:"shared_state_snapshots_ingested"`
	EventsRejected               int      `json:"events_rejected"`
	SpansRejected                int      `json:"spans_rejected"`
	NodeExecutionsRejected       int      `json:"node_executions_rejected"`
	SharedStateSnapshotsRejected int      `json:"shared_state_snapshots_rejected"`
	Errors                       []string `json:"errors,omitempty"`
	errorsLeftOut                int
}

// maxReportedErrors bounds the errors listed in a batch answer.
const maxReportedErrors = 100

// batch is POST /telemetry/batch: each item is validated alone; bad ones are
// skipped and reported, good ones kept.
func (r *agoraReceiver) batch(rq *request) (any, error) {
	o, err := parseBody(rq.body)
	if err != nil {
		return nil, err
	}
	execField := o.str("execution_id", false)
	workflow := o.str(agora.FieldWorkflowName, false)
	project := o.str(agora.FieldProjectName, false)
	events := o.list("events", true)
	spans := o.list("spans", false)
	nodes := o.list("node_executions", false)
	snapshots := o.list("shared_state_snapshots", false)
	if err := o.err(); err != nil {
		return nil, badRequest{err}
	}
	if n := len(events) + len(spans) + len(nodes) + len(snapshots); n > r.cfg.MaxBatchItems {
		return nil, badRequest{fmt.Errorf("batch has %d items, more than the %d allowed", n, r.cfg.MaxBatchItems)}
	}

	var exec uuid.UUID
	switch {
	case execField != "":
		if exec, err = r.owned(rq.org, execField); err != nil {
			return nil, err
		}
	case workflow != "":
		// Auto-start, with an id derived from the batch itself: a retried
		// batch names the same execution and its items store once.
		start := earliest(events, spans, nodes)
		sum := sha256.Sum256(rq.body)
		exec = r.ids.New(rq.org.id, start, sum[:4])
		s := scope(rq.org, exec, project, workflow)
		(&agora.ExecutionStart{Scope: s, StartedAt: start}).Append(rq.out.lrs)
	default:
		return nil, badRequest{fmt.Errorf("execution_id or workflow_name required")}
	}
	s := scope(rq.org, exec, project, workflow)
	resp := &batchResponse{ExecutionID: exec.String()}
	now := time.Now().UTC()

	each := func(list string, items []json.RawMessage, ok, rejected *int, decode func(o *object, raw []byte) error) {
		for i, raw := range items {
			item, err := parseObject(fmt.Sprintf("%s[%d]", list, i), raw)
			if err == nil {
				err = decode(item, raw)
			}
			if err != nil {
				*rejected++
				resp.addError(err)
				continue
			}
			*ok++
		}
	}
	each("events", events, &resp.EventsIngested, &resp.EventsRejected, func(o *object, raw []byte) error {
		_, err := decodeEvent(o, raw, s, rq.out)
		return err
	})
	each("spans", spans, &resp.SpansIngested, &resp.SpansRejected, func(o *object, _ []byte) error {
		_, err := decodeSpan(o, s, rq.out)
		return err
	})
	each("node_executions", nodes, &resp.NodeExecutionsIngested, &resp.NodeExecutionsRejected, func(o *object, _ []byte) error {
		_, err := decodeNode(o, s, rq.out)
		return err
	})
	each("shared_state_snapshots", snapshots, &resp.SharedStateSnapshotsIngested, &resp.SharedStateSnapshotsRejected, func(o *object, raw []byte) error {
		_, err := decodeSnapshot(o, raw, s, now, rq.out)
		return err
	})
	if resp.errorsLeftOut > 0 {
		resp.Errors = append(resp.Errors, fmt.Sprintf("... and %d more", resp.errorsLeftOut))
	}
	return resp, nil
}

func (b *batchResponse) addError(err error) {
	if len(b.Errors) >= maxReportedErrors {
		b.errorsLeftOut++
		return
	}
	b.Errors = append(b.Errors, err.Error())
}

// earliest is the first timestamp among the batch's items, or now when
// there is none: the start time of an auto-started execution.
func earliest(events, spans, nodes []json.RawMessage) time.Time {
	first := time.Time{}
	consider := func(items []json.RawMessage, field string) {
		for _, raw := range items {
			var m map[string]json.RawMessage
			if json.Unmarshal(raw, &m) != nil {
				continue
			}
			var s string
			if json.Unmarshal(m[field], &s) != nil {
				continue
			}
			if t, err := parseTimestamp(s); err == nil && (first.IsZero() || t.Before(first)) {
				first = t
			}
		}
	}
	consider(events, agora.FieldTimestamp)
	consider(spans, "start_time")
	consider(nodes, agora.FieldStartedAt)
	if first.IsZero() {
		return time.Now().UTC()
	}
	return first
}
