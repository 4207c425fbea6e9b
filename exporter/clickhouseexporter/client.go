package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
)

// client is what every signal's exporter shares: the connection, the schema
// and the columnar insert.
type client struct {
	cfg    *Config
	logger *zap.Logger
	data   sqltemplates.Data
	db     driver.Conn
}

func newClient(cfg *Config, logger *zap.Logger) *client {
	return &client{cfg: cfg, logger: logger, data: sqltemplates.Data{Database: cfg.Database, TTLSeconds: int64(cfg.TTL / time.Second)}}
}

// start connects and brings the schema up to date. It fails the collector's
// start when ClickHouse is unreachable, so a misconfigured endpoint is seen
// at once rather than as a silently growing queue.
func (c *client) start(ctx context.Context, _ component.Host) error {
	db, err := c.cfg.settings().Open(ctx)
	if err != nil {
		return err
	}
	c.db = db
	if !c.cfg.CreateSchema {
		return checkSchema(ctx, db, c.data)
	}
	return migrate(ctx, db, c.data, c.logger)
}

func (c *client) shutdown(context.Context) error {
	if c.db == nil {
		return nil
	}
	return c.db.Close()
}

// insert sends one batch built column by column (in the insert statement's
// order): appending whole columns skips the driver's per-row reflection.
func (c *client) insert(ctx context.Context, table, sql string, columns []any) error {
	batch, err := c.db.PrepareBatch(ctx, sql)
	if err != nil {
		return fmt.Errorf("prepare %s insert: %w", table, err)
	}
	defer func() { _ = batch.Abort() }()
	if err := fillBatch(batch, columns); err != nil {
		// The rows themselves do not fit the columns: retrying cannot help.
		return consumererror.NewPermanent(fmt.Errorf("build %s insert: %w", table, err))
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

func fillBatch(batch driver.Batch, columns []any) error {
	var errs error
	for i, col := range columns {
		if err := batch.Column(i).Append(col); err != nil {
			errs = errors.Join(errs, fmt.Errorf("column %d: %w", i, err))
		}
	}
	return errs
}
