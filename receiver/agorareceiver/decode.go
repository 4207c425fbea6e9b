package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/valyala/fastjson"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// fieldError is a validation error that names the field, e.g.
// "node_executions[3].started_at: not a timestamp".
type fieldError struct{ field, msg string }

func (e fieldError) Error() string { return e.field + ": " + e.msg }

// fieldErrors joins an item's errors into one message.
type fieldErrors []fieldError

func (es fieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// object reads the fields of one JSON object and collects what is wrong.
// The whole body is parsed once (fastjson); fields are read from that tree.
type object struct {
	path   string
	v      *fastjson.Value
	obj    *fastjson.Object
	errs   fieldErrors
	window *window
}

// window is when a request's timestamps may be: the stored tables are
// partitioned by time, so a time far off is refused, naming its field.
type window struct {
	agora.TimeWindow
	now time.Time
}

var errNotObject = errors.New("must be a JSON object")

// parsers are reused: a parse tree lives until its parser parses again, so
// a request returns its parser only when it is done with every value.
var parsers fastjson.ParserPool

// parseBody parses a request body, which must be a JSON object.
func parseBody(p *fastjson.Parser, body []byte, w *window) (*object, error) {
	v, err := p.ParseBytes(body)
	if err != nil {
		// Error path only: encoding/json says where the syntax breaks.
		msg := "not a JSON object: invalid JSON"
		var syn *json.SyntaxError
		if errors.As(json.Unmarshal(body, new(json.RawMessage)), &syn) {
			msg += fmt.Sprintf(" at byte %d", syn.Offset)
		}
		return nil, badRequest{fieldError{"body", msg}}
	}
	if v.Type() != fastjson.TypeObject {
		return nil, badRequest{fieldError{"body", "not a JSON object: got " + v.Type().String()}}
	}
	root := &object{window: w}
	return root.child("", v)
}

// child reads v, a value inside o, as an object; path prefixes every field name.
func (o *object) child(path string, v *fastjson.Value) (*object, error) {
	obj, err := v.Object()
	if err != nil {
		return nil, fieldError{path, errNotObject.Error()}
	}
	return &object{path: path, v: v, obj: obj, window: o.window}, nil
}

func (o *object) name(field string) string {
	if o.path == "" {
		return field
	}
	return o.path + "." + field
}

func (o *object) fail(field, msg string) { o.errs = append(o.errs, fieldError{o.name(field), msg}) }

// raw is the field's value, nil when absent or null.
func (o *object) raw(field string) *fastjson.Value {
	v := o.obj.Get(field)
	if v == nil || v.Type() == fastjson.TypeNull {
		return nil
	}
	return v
}

func (o *object) str(field string, required bool) string {
	r := o.raw(field)
	if r == nil {
		if required {
			o.fail(field, "required")
		}
		return ""
	}
	if r.Type() != fastjson.TypeString {
		o.fail(field, "must be a string")
		return ""
	}
	s := text(r)
	if required && s == "" {
		o.fail(field, "must not be empty")
	}
	return s
}

// text copies a string out of the parser's buffer, as valid UTF-8.
func text(v *fastjson.Value) string {
	b, _ := v.StringBytes()
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

// status reads a status field, which must be one of allowed (any case).
func (o *object) status(field string, allowed []agora.Status) agora.Status {
	s := agora.Status(strings.ToLower(o.str(field, true)))
	if s != "" && !slices.Contains(allowed, s) {
		o.fail(field, fmt.Sprintf("%q is not one of %s", s, agora.JoinStatuses(allowed)))
	}
	return s
}

func (o *object) timestamp(field string, required bool) (time.Time, bool) {
	s := o.str(field, required)
	if s == "" {
		return time.Time{}, false
	}
	t, err := parseTimestamp(s)
	if err == nil && o.window != nil {
		err = o.window.Check(t, o.window.now)
	}
	if err != nil {
		o.fail(field, err.Error())
		return time.Time{}, false
	}
	return t, true
}

// bounded is a JSON number within its bounds (agora.CountOK, ...); what is
// out of them fails the field, naming the range: nothing out of range is
// stored, converted or summed.
func (o *object) bounded(field string, ok func(float64) bool, want string) *float64 {
	r := o.raw(field)
	if r == nil {
		return nil
	}
	f, err := r.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || !ok(f) {
		o.fail(field, "must be "+want)
		return nil
	}
	return &f
}

var (
	wantCount    = fmt.Sprintf("a whole number from 0 to %d", int64(agora.MaxCount))
	wantRetries  = fmt.Sprintf("a whole number from 0 to %d", int64(agora.MaxRetries))
	wantDuration = fmt.Sprintf("milliseconds from 0 to %d", int64(agora.MaxDurationMs))
	wantCost     = fmt.Sprintf("a number from 0 to %d", int64(agora.MaxCost))
)

// count: tokens.
func (o *object) count(field string) *int64 { return o.whole(field, agora.CountOK, wantCount) }

func (o *object) retries(field string) *int64 {
	return o.whole(field, agora.RetriesOK, wantRetries)
}

func (o *object) whole(field string, ok func(float64) bool, want string) *int64 {
	f := o.bounded(field, ok, want)
	if f == nil {
		return nil
	}
	i := int64(*f)
	return &i
}

func (o *object) duration(field string) *float64 {
	return o.bounded(field, agora.DurationOK, wantDuration)
}

func (o *object) cost(field string) *float64 { return o.bounded(field, agora.CostOK, wantCost) }

// value is any JSON value as pdata; absent and null are an empty value.
func (o *object) value(field string) pcommon.Value {
	v := pcommon.NewValueEmpty()
	if r := o.raw(field); r != nil {
		setValue(v, r, 0)
	}
	return v
}

// objectValue requires an object (or null).
func (o *object) objectValue(field string) pcommon.Value {
	if r := o.raw(field); r != nil && r.Type() != fastjson.TypeObject {
		o.fail(field, errNotObject.Error())
		return pcommon.NewValueEmpty()
	}
	return o.value(field)
}

func (o *object) list(field string, required bool) []*fastjson.Value {
	r := o.raw(field)
	if r == nil {
		if required {
			o.fail(field, "required")
		}
		return nil
	}
	items, err := r.Array()
	if err != nil {
		o.fail(field, "must be a list")
		return nil
	}
	return items
}

// uuid is a required UUID field (the PostgREST tables' ids).
func (o *object) uuid(field string) uuid.UUID {
	s := o.str(field, true)
	if s == "" {
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		o.fail(field, "must be a UUID")
	}
	return id
}

func (o *object) hexID(field string, size int, required bool) []byte {
	s := o.str(field, required)
	if s == "" {
		return nil
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != size {
		o.fail(field, fmt.Sprintf("must be %d hex characters", 2*size))
		return nil
	}
	if bytes.Count(b, []byte{0}) == size {
		o.fail(field, "must not be all zeros")
		return nil
	}
	return b
}

func (o *object) err() error {
	if len(o.errs) == 0 {
		return nil
	}
	return o.errs
}

// Timestamps arrive as ISO 8601, often naive (treated as UTC), with T or a
// space between date and time. The layout is chosen by looking, not by trying.
const (
	layoutZoned = "2006-01-02T15:04:05.999999999Z07:00"
	layoutNaive = "2006-01-02T15:04:05.999999999"
)

// The span of time DateTime64(9) can hold, with margin.
var minTime, maxTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

var errNotTimestamp = errors.New("not a timestamp")

func parseTimestamp(s string) (time.Time, error) {
	if len(s) < len("2006-01-02T15:04:05") {
		return time.Time{}, errNotTimestamp
	}
	if s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	layout := layoutNaive
	if last := s[len(s)-1]; last == 'Z' || last == 'z' || strings.LastIndexAny(s[19:], "+-") >= 0 {
		layout = layoutZoned
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, errNotTimestamp
	}
	if t.Before(minTime) || !t.Before(maxTime) {
		return time.Time{}, errors.New("timestamp out of range (1970-2199)")
	}
	return t.UTC(), nil
}

// maxDepth bounds nesting: deeper values are kept as their JSON text.
const maxDepth = 32

// setValue converts JSON to pdata, keeping integers as Int.
func setValue(v pcommon.Value, x *fastjson.Value, depth int) {
	switch x.Type() {
	case fastjson.TypeString:
		v.SetStr(text(x))
	case fastjson.TypeTrue:
		v.SetBool(true)
	case fastjson.TypeFalse:
		v.SetBool(false)
	case fastjson.TypeNumber:
		if i, err := x.Int64(); err == nil {
			v.SetInt(i)
		} else if f, err := x.Float64(); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			v.SetDouble(f)
		} else {
			v.SetStr(x.String())
		}
	case fastjson.TypeObject:
		if depth >= maxDepth {
			v.SetStr(x.String())
			return
		}
		obj, _ := x.Object()
		m := v.SetEmptyMap()
		m.EnsureCapacity(obj.Len())
		obj.Visit(func(k []byte, e *fastjson.Value) {
			setValue(m.PutEmpty(strings.ToValidUTF8(string(k), "\uFFFD")), e, depth+1)
		})
	case fastjson.TypeArray:
		if depth >= maxDepth {
			v.SetStr(x.String())
			return
		}
		items, _ := x.Array()
		sl := v.SetEmptySlice()
		sl.EnsureCapacity(len(items))
		for _, e := range items {
			setValue(sl.AppendEmpty(), e, depth+1)
		}
	}
}

// spanKinds maps the SDK's kind spellings (SpanKind.INTERNAL, INTERNAL,
// SPAN_KIND_INTERNAL, internal) to pdata.
var spanKinds = map[string]ptrace.SpanKind{
	"UNSPECIFIED": ptrace.SpanKindUnspecified, "INTERNAL": ptrace.SpanKindInternal,
	"SERVER": ptrace.SpanKindServer, "CLIENT": ptrace.SpanKindClient,
	"PRODUCER": ptrace.SpanKindProducer, "CONSUMER": ptrace.SpanKindConsumer,
}

func parseSpanKind(s string) (ptrace.SpanKind, bool) {
	s = strings.ToUpper(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "SPANKIND."), "SPAN_KIND_")
	k, ok := spanKinds[s]
	return k, ok
}

var spanStatuses = map[string]ptrace.StatusCode{
	"UNSET": ptrace.StatusCodeUnset, "OK": ptrace.StatusCodeOk, "ERROR": ptrace.StatusCodeError,
}

func parseSpanStatus(s string) (ptrace.StatusCode, bool) {
	s = strings.TrimPrefix(strings.ToUpper(s), "STATUSCODE.")
	c, ok := spanStatuses[s]
	return c, ok
}
