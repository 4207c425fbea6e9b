package clickhouseexporter

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dictColumn writes the bytes ch-go's LowCardinality column writes for the
// same values, at each key width, and they decode back to the values; a
// reset column starts a fresh dictionary.
func TestDictColumnEncodesAsChGo(t *testing.T) {
	for _, distinct := range []int{0, 1, 256, 257, 65536, 65537} {
		d, want := newDict(), new(proto.ColStr).LowCardinality()
		var values []string
		for round := range 2 {
			d.Reset()
			want.Reset()
			values = values[:0]
			for i := range distinct + 10 {
				v := "v" + strconv.Itoa((i*7+round)%max(distinct, 1))
				values = append(values, v)
				if i%2 == 0 {
					d.AppendBytes([]byte(v))
				} else {
					d.Append(v)
				}
				want.Append(v)
			}
			require.NoError(t, d.Prepare())
			require.NoError(t, want.Prepare())
			var got, exp proto.Buffer
			d.EncodeState(&got)
			d.EncodeColumn(&got)
			want.EncodeState(&exp)
			want.EncodeColumn(&exp)
			require.Equal(t, exp.Buf, got.Buf, "%d distinct values, round %d", distinct, round)
			assert.Equal(t, want.Type(), d.Type())

			back := new(proto.ColStr).LowCardinality()
			r := proto.NewReader(bytes.NewReader(got.Buf))
			require.NoError(t, back.DecodeState(r))
			require.NoError(t, back.DecodeColumn(r, d.Rows()))
			require.Equal(t, len(values), back.Rows())
			for i, v := range values {
				if back.Row(i) != v || d.Row(i) != v {
					t.Fatalf("row %d: %q / %q, want %q", i, back.Row(i), d.Row(i), v)
				}
			}
		}
	}
}
