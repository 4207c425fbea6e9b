package alerts

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/sqltmpl"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

var templates = func() sqltmpl.Set {
	sub, err := fs.Sub(sqlFiles, "sql")
	if err != nil {
		panic(err)
	}
	return sqltmpl.Must(sub)
}()

// Store reads and writes the alert tables the exporter's schema creates.
// Every call that touches one org's rows takes the org: nothing reads or
// writes across orgs but the evaluator's own lists.
type Store struct {
	db       driver.Conn
	database string
	// holder names this process in the rows it claims.
	holder string
}

// NewStore works on database's alert tables through db.
func NewStore(db driver.Conn, database string) *Store {
	return &Store{db: db, database: database, holder: uuid.NewString()}
}

// ErrNotFound: no such rule in the org.
var ErrNotFound = errors.New("alert rule not found")

func (s *Store) sql(name string) string {
	q, err := templates.Render(name+".sql", struct{ Database string }{s.database})
	if err != nil {
		panic(err) // embedded and rendered by the tests: a build-time bug
	}
	return q
}

// Rules are the org's rules.
func (s *Store) Rules(ctx context.Context, org string) ([]agora.AlertRuleRow, error) {
	var rows []agora.AlertRuleRow
	return rows, s.db.Select(ctx, &rows, s.sql("rules"), org, org)
}

// enabledRules are every org's enabled rules.
func (s *Store) enabledRules(ctx context.Context) ([]agora.AlertRuleRow, error) {
	var rows []agora.AlertRuleRow
	return rows, s.db.Select(ctx, &rows, s.sql("rules"), "", "")
}

// Rule is one of the org's rules, or ErrNotFound.
func (s *Store) Rule(ctx context.Context, org string, id uuid.UUID) (agora.AlertRuleRow, error) {
	var rows []agora.AlertRuleRow
	if err := s.db.Select(ctx, &rows, s.sql("rule"), org, id); err != nil {
		return agora.AlertRuleRow{}, err
	}
	if len(rows) == 0 {
		return agora.AlertRuleRow{}, ErrNotFound
	}
	return rows[0], nil
}

// SaveRule writes a version of a rule.
func (s *Store) SaveRule(ctx context.Context, r *agora.AlertRuleRow) error {
	r.UpdatedAt = time.Now().UTC()
	b, err := s.db.PrepareBatch(ctx, s.sql("rule_insert"))
	if err != nil {
		return err
	}
	if err := b.AppendStruct(r); err != nil {
		_ = b.Abort()
		return err
	}
	return b.Send()
}

type ruleKey struct {
	org  string
	rule uuid.UUID
}

type lastEvent struct {
	seq   uint64
	state agora.AlertState
}

func (s *Store) lastEvents(ctx context.Context) (map[ruleKey]lastEvent, error) {
	rows, err := s.db.Query(ctx, s.sql("last_events"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[ruleKey]lastEvent{}
	for rows.Next() {
		var (
			k     ruleKey
			seq   uint64
			state string
		)
		if err := rows.Scan(&k.org, &k.rule, &seq, &state); err != nil {
			return nil, err
		}
		out[k] = lastEvent{seq, agora.AlertState(state)}
	}
	return out, rows.Err()
}

// record writes a state change and says whether this process holds it:
// replicas recording the same change (rule and Seq) send the same
// deduplication token, so one row lands and its holder delivers.
func (s *Store) record(ctx context.Context, ev *agora.AlertEventRow) (bool, error) {
	ev.Holder = s.holder
	token := fmt.Sprintf("alert-event:%s:%s:%d", ev.OrgID, ev.RuleID, ev.Seq)
	if err := s.insert(ctx, "event_insert", token, ev); err != nil {
		return false, err
	}
	var holder string
	var id uuid.UUID
	if err := s.db.QueryRow(ctx, s.sql("event_holder"), ev.OrgID, ev.RuleID, ev.Seq).Scan(&holder, &id); err != nil {
		return false, err
	}
	ev.EventID = id
	return holder == s.holder, nil
}

// RecordTest writes a test notification's event (no state change).
func (s *Store) RecordTest(ctx context.Context, ev *agora.AlertEventRow) error {
	ev.Holder = s.holder
	return s.insert(ctx, "event_insert", "", ev)
}

// claim takes attempt n of an event's delivery; false when another
// replica took it first.
func (s *Store) claim(ctx context.Context, org string, event uuid.UUID, n uint32) (bool, error) {
	row := agora.AlertDeliveryRow{OrgID: org, EventID: event, Attempt: n, Outcome: string(agora.DeliveryClaimed), At: time.Now().UTC(), Holder: s.holder}
	if err := s.insert(ctx, "delivery_insert", fmt.Sprintf("alert-attempt:%s:%s:%d", org, event, n), &row); err != nil {
		return false, err
	}
	var holder string
	if err := s.db.QueryRow(ctx, s.sql("attempt_holder"), org, event, n).Scan(&holder); err != nil {
		return false, err
	}
	return holder == s.holder, nil
}

// recordAttempt writes an attempt's outcome.
func (s *Store) recordAttempt(ctx context.Context, row *agora.AlertDeliveryRow) error {
	row.Holder, row.At = s.holder, time.Now().UTC()
	return s.insert(ctx, "delivery_insert", "", row)
}

// insert writes one row; a token makes ClickHouse drop a repeat of it
// (the tables keep a window of recent tokens).
func (s *Store) insert(ctx context.Context, tmpl, token string, row any) error {
	if token != "" {
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplication_token": token, "insert_deduplicate": 1}))
	}
	b, err := s.db.PrepareBatch(ctx, s.sql(tmpl))
	if err != nil {
		return err
	}
	if err := b.AppendStruct(row); err != nil {
		_ = b.Abort()
		return err
	}
	return b.Send()
}

// EventView is an event of the history with its delivery so far.
type EventView struct {
	agora.AlertEventRow
	Attempts   uint32    `ch:"Attempts" json:"attempts"`
	Outcome    string    `ch:"LastOutcome" json:"delivery"`
	StatusCode uint16    `ch:"LastStatusCode" json:"status_code"`
	Error      string    `ch:"LastError" json:"error"`
	LastAt     time.Time `ch:"LastAt" json:"-"`
}

// Events are the org's newest alert events (one rule's when rule is set).
func (s *Store) Events(ctx context.Context, org, rule string, limit int) ([]EventView, error) {
	var rows []EventView
	return rows, s.db.Select(ctx, &rows, s.sql("events"), org, org, rule, rule, limit)
}

// Deliveries are an event's delivery log.
func (s *Store) Deliveries(ctx context.Context, org string, event uuid.UUID) ([]agora.AlertDeliveryRow, error) {
	var rows []agora.AlertDeliveryRow
	return rows, s.db.Select(ctx, &rows, s.sql("deliveries"), org, event)
}

// pendingEvent is a state change not yet delivered, and its last attempt.
type pendingEvent struct {
	agora.AlertEventRow
	Attempts uint32    `ch:"Attempts"`
	Outcome  string    `ch:"LastOutcome"`
	LastAt   time.Time `ch:"LastAt"`
}

// pendingHorizon: state changes older than this are not delivered any more.
const pendingHorizon = 24 * time.Hour

func (s *Store) pending(ctx context.Context, now time.Time) ([]pendingEvent, error) {
	var rows []pendingEvent
	since := now.Add(-pendingHorizon)
	return rows, s.db.Select(ctx, &rows, s.sql("pending"), since, since)
}

// measurement is what a rule's query read.
type measurement struct {
	finished, failed, timeouts, executions uint64
	p95Ms, cost                            float64
	tokens                                 int64
}

// maxRowsPerMeasure bounds one rule's query; beyond it the query fails
// (and the rule is retried next interval) rather than reading on.
const maxRowsPerMeasure = 50_000_000

func (s *Store) measure(ctx context.Context, r *agora.AlertRuleRow, now time.Time) (measurement, error) {
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_rows_to_read": maxRowsPerMeasure, "read_overflow_mode": "throw"}))
	var m measurement
	since := now.Add(-time.Duration(r.WindowSeconds) * time.Second)
	err := s.db.QueryRow(ctx, s.sql("measure"), r.OrgID, r.ProjectName, r.ProjectName, r.WorkflowName, r.WorkflowName, since).
		Scan(&m.finished, &m.failed, &m.timeouts, &m.p95Ms, &m.executions, &m.tokens, &m.cost)
	return m, err
}

// value is the rule's measure and its sample count.
func (m measurement) value(kind agora.AlertKind) (float64, uint64) {
	switch kind {
	case agora.AlertErrorRate:
		if m.finished == 0 {
			return 0, 0
		}
		return float64(m.failed) / float64(m.finished), m.finished
	case agora.AlertTimeouts:
		return float64(m.timeouts), m.finished
	case agora.AlertP95Duration:
		return m.p95Ms / 1000, m.finished
	case agora.AlertTokens:
		return float64(m.tokens), m.executions
	case agora.AlertCost:
		return m.cost, m.executions
	}
	return 0, 0
}
