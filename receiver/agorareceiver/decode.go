package agorareceiver // import "github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver"

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

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
type object struct {
	path string
	m    map[string]json.RawMessage
	errs fieldErrors
}

var errNotObject = errors.New("must be a JSON object")

// parseObject reads raw as an object; path prefixes every field name.
func parseObject(path string, raw []byte) (*object, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		if path == "" {
			return nil, fieldError{"body", "not a JSON object: " + jsonProblem(err)}
		}
		return nil, fieldError{path, errNotObject.Error()}
	}
	return &object{path: path, m: m}, nil
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return "null"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return "got " + typ.Value
	}
	return "invalid JSON"
}

func (o *object) name(field string) string {
	if o.path == "" {
		return field
	}
	return o.path + "." + field
}

func (o *object) fail(field, msg string) { o.errs = append(o.errs, fieldError{o.name(field), msg}) }

// raw is the field's JSON, nil when absent or null.
func (o *object) raw(field string) json.RawMessage {
	r := o.m[field]
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	return r
}

func (o *object) str(field string, required bool) string {
	r := o.raw(field)
	if r == nil {
		if required {
			o.fail(field, "required")
		}
		return ""
	}
	var s string
	if r[0] != '"' || json.Unmarshal(r, &s) != nil {
		o.fail(field, "must be a string")
		return ""
	}
	if required && s == "" {
		o.fail(field, "must not be empty")
	}
	return s
}

func (o *object) oneOf(field string, allowed []string) string {
	s := strings.ToLower(o.str(field, true))
	if s != "" && !slices.Contains(allowed, s) {
		o.fail(field, fmt.Sprintf("%q is not one of %s", s, strings.Join(allowed, ", ")))
	}
	return s
}

func (o *object) timestamp(field string, required bool) (time.Time, bool) {
	s := o.str(field, required)
	if s == "" {
		return time.Time{}, false
	}
	t, err := parseTimestamp(s)
	if err != nil {
		o.fail(field, err.Error())
		return time.Time{}, false
	}
	return t, true
}

func (o *object) number(field string, nonNegative bool) *float64 {
	r := o.raw(field)
	if r == nil {
		return nil
	}
	f, err := strconv.ParseFloat(string(r), 64)
	if err != nil || !isJSONNumber(r) || math.IsInf(f, 0) {
		o.fail(field, "must be a number")
		return nil
	}
	if nonNegative && f < 0 {
		o.fail(field, "must not be negative")
		return nil
	}
	return &f
}

func (o *object) integer(field string) *int64 {
	r := o.raw(field)
	if r == nil {
		return nil
	}
	f := o.number(field, true)
	if f == nil {
		return nil
	}
	if *f != math.Trunc(*f) || *f > math.MaxInt64 {
		o.fail(field, "must be a whole number")
		return nil
	}
	i := int64(*f)
	return &i
}

// value is any JSON value as pdata; absent and null are an empty value.
func (o *object) value(field string) pcommon.Value {
	r := o.raw(field)
	v := pcommon.NewValueEmpty()
	if r == nil {
		return v
	}
	if err := jsonToValue(r, v); err != nil {
		o.fail(field, err.Error())
	}
	return v
}

// object requires an object (or null).
func (o *object) objectValue(field string) pcommon.Value {
	r := o.raw(field)
	if r != nil && r[0] != '{' {
		o.fail(field, errNotObject.Error())
		return pcommon.NewValueEmpty()
	}
	return o.value(field)
}

func (o *object) list(field string, required bool) []json.RawMessage {
	r := o.raw(field)
	if r == nil {
		if required {
			o.fail(field, "required")
		}
		return nil
	}
	var items []json.RawMessage
	if r[0] != '[' || json.Unmarshal(r, &items) != nil {
		o.fail(field, "must be a list")
		return nil
	}
	return items
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

func isJSONNumber(r []byte) bool { return len(r) > 0 && (r[0] == '-' || r[0] >= '0' && r[0] <= '9') }

// Timestamps arrive as ISO 8601, often naive (treated as UTC), with T or a
// space between date and time.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// The span of time DateTime64(9) can hold, with margin.
var minTime, maxTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Before(minTime) || !t.Before(maxTime) {
				return time.Time{}, errors.New("timestamp out of range (1970-2199)")
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a timestamp")
}

// jsonToValue converts JSON to pdata, keeping integers as Int.
func jsonToValue(raw []byte, v pcommon.Value) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return errors.New("invalid JSON")
	}
	setValue(v, x, 0)
	return nil
}

// maxDepth bounds nesting: deeper values are kept as their JSON text.
const maxDepth = 32

func setValue(v pcommon.Value, x any, depth int) {
	switch t := x.(type) {
	case nil:
	case string:
		v.SetStr(t)
	case bool:
		v.SetBool(t)
	case json.Number:
		if i, err := t.Int64(); err == nil {
			v.SetInt(i)
		} else if f, err := t.Float64(); err == nil {
			v.SetDouble(f)
		} else {
			v.SetStr(t.String())
		}
	case map[string]any:
		if depth >= maxDepth {
			b, _ := json.Marshal(t)
			v.SetStr(string(b))
			return
		}
		m := v.SetEmptyMap()
		m.EnsureCapacity(len(t))
		for k, e := range t {
			setValue(m.PutEmpty(k), e, depth+1)
		}
	case []any:
		if depth >= maxDepth {
			b, _ := json.Marshal(t)
			v.SetStr(string(b))
			return
		}
		s := v.SetEmptySlice()
		s.EnsureCapacity(len(t))
		for _, e := range t {
			setValue(s.AppendEmpty(), e, depth+1)
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
