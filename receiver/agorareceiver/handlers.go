package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/valyala/fastjson"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// scope names an execution and, when known, its project and workflow, with
// their deterministic ids.
func scope(o agora.Caller, exec uuid.UUID, project, workflow string) agora.Scope {
	s := agora.Scope{ExecutionID: exec}
	if workflow != "" {
		if project == "" {
			project = agora.DefaultProjectName
		}
		s.ProjectName, s.ProjectID = project, agora.ProjectID(o.OrgID, project)
		s.WorkflowName, s.WorkflowID = workflow, agora.WorkflowID(s.ProjectID, workflow)
	}
	return s
}

// owned parses an execution id and checks that this org started it.
func (r *agoraReceiver) owned(o agora.Caller, id string) (uuid.UUID, error) {
	exec, err := uuid.Parse(id)
	if err != nil || !r.ids.Owns(o.OrgID, exec) {
		return uuid.Nil, notFound{}
	}
	return exec, nil
}

// start_ is POST /telemetry/executions/start.
func (r *agoraReceiver) start_(rq *request) (any, error) {
	o, err := parseBody(rq.parser, rq.body, rq.window)
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
	s := scope(rq.org, r.ids.New(rq.org.OrgID, now, nil), project, workflow)
	(&agora.ExecutionStart{Scope: s, StartedAt: now, Input: input}).Append(rq.out.lrs)
	return map[string]string{
		"execution_id": s.ExecutionID.String(), "workflow_id": s.WorkflowID.String(), "project_id": s.ProjectID.String(),
	}, nil
}

// ownedBody is the start of every endpoint of an existing execution: the
// execution must be the caller org's (else 404), then the body is parsed.
func (r *agoraReceiver) ownedBody(rq *request) (uuid.UUID, *object, error) {
	exec, err := r.owned(rq.org, rq.execID)
	if err != nil {
		return uuid.Nil, nil, err
	}
	o, err := parseBody(rq.parser, rq.body, rq.window)
	return exec, o, err
}

// complete is POST /telemetry/executions/{id}/complete.
func (r *agoraReceiver) complete(rq *request) (any, error) {
	exec, o, err := r.ownedBody(rq)
	if err != nil {
		return nil, err
	}
	c := agora.ExecutionCompletion{
		Scope:        agora.Scope{ExecutionID: exec},
		CompletedAt:  time.Now().UTC(),
		Status:       o.status(agora.FieldStatus, agora.ExecutionStatuses),
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
	decode func(o *object, s agora.Scope) (uuid.UUID, error),
) (any, error) {
	exec, o, err := r.ownedBody(rq)
	if err != nil {
		return nil, err
	}
	id, err := decode(o, agora.Scope{ExecutionID: exec})
	if err != nil {
		return nil, badRequest{err}
	}
	return map[string]string{responseKey: id.String()}, nil
}

// node is POST /telemetry/executions/{id}/nodes.
func (r *agoraReceiver) node(rq *request) (any, error) {
	return r.itemEndpoint(rq, "node_execution_id", func(o *object, s agora.Scope) (uuid.UUID, error) {
		return decodeNode(o, s, rq.out)
	})
}

// span is POST /telemetry/executions/{id}/spans. The answer is the stored
// row's id, derived from the execution, trace and span ids.
func (r *agoraReceiver) span(rq *request) (any, error) {
	return r.itemEndpoint(rq, "span_id", func(o *object, s agora.Scope) (uuid.UUID, error) {
		return decodeSpan(o, s, rq.out)
	})
}

// event is POST /telemetry/executions/{id}/events.
func (r *agoraReceiver) event(rq *request) (any, error) {
	return r.itemEndpoint(rq, "event_id", func(o *object, s agora.Scope) (uuid.UUID, error) {
		return decodeEvent(o, s, rq.out)
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
	o, err := parseBody(rq.parser, rq.body, rq.window)
	if err != nil {
		return nil, err
	}
	execField := o.str(agora.FieldExecutionID, false)
	workflow := o.str(agora.FieldWorkflowName, false)
	project := o.str(agora.FieldProjectName, false)
	events := o.list(agora.FieldEvents, true)
	spans := o.list(agora.FieldSpans, false)
	nodes := o.list(agora.FieldNodeExecutions, false)
	snapshots := o.list(agora.FieldSharedStateSnapshots, false)
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
		exec = r.ids.New(rq.org.OrgID, start, sum[:4])
		s := scope(rq.org, exec, project, workflow)
		(&agora.ExecutionStart{Scope: s, StartedAt: start}).Append(rq.out.lrs)
	default:
		return nil, badRequest{fmt.Errorf("execution_id or workflow_name required")}
	}
	s := scope(rq.org, exec, project, workflow)
	resp := &batchResponse{ExecutionID: exec.String()}
	now := time.Now().UTC()

	each := func(list string, items []*fastjson.Value, ok, rejected *int, decode func(o *object) error) {
		for i, raw := range items {
			item, err := o.child(list+"["+strconv.Itoa(i)+"]", raw)
			if err == nil {
				err = decode(item)
			}
			if err != nil {
				*rejected++
				resp.addError(err)
				continue
			}
			*ok++
		}
	}
	each(agora.FieldEvents, events, &resp.EventsIngested, &resp.EventsRejected, func(o *object) error {
		_, err := decodeEvent(o, s, rq.out)
		return err
	})
	each(agora.FieldSpans, spans, &resp.SpansIngested, &resp.SpansRejected, func(o *object) error {
		_, err := decodeSpan(o, s, rq.out)
		return err
	})
	each(agora.FieldNodeExecutions, nodes, &resp.NodeExecutionsIngested, &resp.NodeExecutionsRejected, func(o *object) error {
		_, err := decodeNode(o, s, rq.out)
		return err
	})
	each(agora.FieldSharedStateSnapshots, snapshots, &resp.SharedStateSnapshotsIngested, &resp.SharedStateSnapshotsRejected, func(o *object) error {
		_, err := decodeSnapshot(o, s, now, rq.out)
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
func earliest(events, spans, nodes []*fastjson.Value) time.Time {
	first := time.Time{}
	consider := func(items []*fastjson.Value, field string) {
		for _, item := range items {
			b := item.GetStringBytes(field)
			if t, err := parseTimestamp(string(b)); err == nil && (first.IsZero() || t.Before(first)) {
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
