package clickhouseexporter

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// appendJSONString writes what json.Marshal writes for every string: each
// byte value alone, escapes, invalid and multi-byte UTF-8, and random
// strings of all of those.
func TestAppendJSONStringIsJSONMarshal(t *testing.T) {
	cases := []string{"", "plain text", `"quoted" \ back`, "<b>&amp;</b>", "line\nbreak\ttab\r\b\f", "\x00\x1f\x7f",
		"é 漢字 🙂", "\u2028\u2029", "bad \xff\xfe utf8", "cut \xe6\xbc", strings.Repeat("x", 1000)}
	for b := range 256 {
		cases = append(cases, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", " ", "\"", "\\", "<", "&", "\n", "\x01", "é", "漢", "🙂", "\u2028", "\xff", "\xe6\xbc"}
	for range 2000 {
		var sb strings.Builder
		for range r.IntN(40) {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	for _, s := range cases {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendJSONString([]byte("prefix"), s))[len("prefix"):], "%q", s)
	}
}

// appendJSONText stores what the value's JSON text is, row by row.
func TestAppendJSONText(t *testing.T) {
	m := pcommon.NewValueMap()
	m.Map().PutStr("k", "<v>")
	m.Map().PutInt("n", 1)
	values := []pcommon.Value{pcommon.NewValueEmpty(), pcommon.NewValueStr("say \"hi\" <now>"), m, pcommon.NewValueInt(7)}
	var c proto.ColStr
	for _, v := range values {
		appendJSONText(&c, v)
	}
	require.Equal(t, len(values), c.Rows())
	assert.Equal(t, "", c.Row(0))
	assert.Equal(t, `"say \"hi\" \u003cnow\u003e"`, c.Row(1))
	assert.Equal(t, m.AsString(), c.Row(2))
	assert.Equal(t, "7", c.Row(3))
}
