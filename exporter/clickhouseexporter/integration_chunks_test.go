//go:build integration

package clickhouseexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// TestIntegrationChunkedInsertIsOnePart: an insert of more rows than one
// block carries (chunkRows, made small here) goes as several blocks of one
// INSERT, over either protocol: ClickHouse stores it as one part, a retry
// of it is deduplicated whole, and a refused row among the chunks still
// goes to dead letters alone.
func TestIntegrationChunkedInsertIsOnePart(t *testing.T) {
	defer func(n int) { chunkRows = n }(chunkRows)
	chunkRows = 7
	conn := chtest.Conn(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	starts := func(n int) []time.Time {
		out := make([]time.Time, n)
		for i := range out {
			out[i] = now.Add(time.Duration(i) * time.Millisecond)
		}
		return out
	}
	for name, endpoint := range map[string]string{"native": chtest.NativeEndpoint(), "http": chtest.HTTPEndpoint()} {
		t.Run(name, func(t *testing.T) {
			db := chtest.NewDatabase(t, conn)
			c, _ := startClient(t, endpoint, db, func(c *Config) { c.Timestamps = agora.TimeWindow{} })
			td := ptrace.NewTraces()
			spansAt(td, "org-a", "chunked", starts(50)...)
			require.NoError(t, c.pushTraces(context.Background(), td))
			require.NoError(t, c.pushTraces(context.Background(), td), "a retry of the same insert")
			var n, parts uint64
			require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(), uniqExact(_part) FROM `"+db+"`.spans").Scan(&n, &parts))
			assert.Equal(t, uint64(50), n, "8 blocks, every row once: the retry is dropped at insert")
			assert.Equal(t, uint64(1), parts, "one INSERT, one part")

			td = ptrace.NewTraces()
			spansAt(td, "org-b", "more", starts(20)...)
			spansAt(td, "org-b", "bad", time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC))
			require.NoError(t, c.pushTraces(context.Background(), td))
			require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM `"+db+"`.spans WHERE OrgId = 'org-b'").Scan(&n))
			assert.Equal(t, uint64(20), n, "the good rows of a refused multi-block insert are stored")
			letters := chtest.Rows[deadLetterRow](t, conn, "SELECT OrgId, TableName, Reason, Record, Block FROM `"+db+"`.dead_letters FINAL")
			require.Len(t, letters, 1)
			assert.Contains(t, letters[0].Record, `"name":"bad-0"`)
		})
	}
}
