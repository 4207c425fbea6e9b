package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/cespare/xxhash/v2"
	"go.uber.org/zap"
)

// deadLetterColumns are the dead_letters table's: a refused row, its reason,
// its record as OTLP/JSON (to read) and as a Native block (to replay with
// INSERT INTO <table> FORMAT Native, as the README shows).
type deadLetterColumns struct {
	orgID, table *dictColumn
	failedAt     *proto.ColDateTime64
	rowHash      proto.ColUInt64
	reason, item proto.ColStr
	block        proto.ColStr
}

func newDeadLetterColumns() *deadLetterColumns {
	return &deadLetterColumns{orgID: newDict(), table: newDict(), failedAt: dateTime64(proto.PrecisionMilli)}
}

func (c *deadLetterColumns) input() proto.Input {
	return proto.Input{
		{Name: "OrgId", Data: c.orgID}, {Name: "TableName", Data: c.table}, {Name: "RowHash", Data: &c.rowHash},
		{Name: "FailedAt", Data: c.failedAt}, {Name: "Reason", Data: &c.reason}, {Name: "Record", Data: &c.item},
		{Name: "Block", Data: &c.block},
	}
}

// storeDeadLetters keeps the refused rows. Their own insert failing is
// retried with the whole request: nothing refused is dropped.
func (c *client) storeDeadLetters(ctx context.Context, letters []deadLetter) error {
	if len(letters) == 0 {
		return nil
	}
	cols := newDeadLetterColumns()
	now := time.Now()
	for _, l := range letters {
		cols.orgID.Append(l.org)
		cols.table.Append(l.table)
		// The same refused row sent again keeps one dead letter.
		cols.rowHash.Append(xxhash.Sum64(append([]byte(l.table+"\x00"), l.block...)))
		cols.failedAt.Append(now)
		cols.reason.Append(l.reason)
		cols.item.Append(l.item)
		cols.block.AppendBytes(l.block)
	}
	if err := c.insertBlocks(ctx, deadLettersTable, &blocks{input: cols.input(), rows: len(letters)}); err != nil {
		return err
	}
	for _, l := range letters {
		c.logger.Warn("ClickHouse refused a row: kept in dead_letters", zap.String("table", l.table), zap.String("org", l.org), zap.String("reason", l.reason))
	}
	c.telemetry.deadLettered(ctx, letters)
	return nil
}

const deadLettersTable = "dead_letters"
