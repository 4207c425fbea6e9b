package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
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

	db      atomic.Pointer[driver.Conn] // nil until connected and the schema is ready
	lastErr atomic.Pointer[error]
	stop    chan struct{}
	retries sync.WaitGroup
}

func newClient(cfg *Config, logger *zap.Logger) *client {
	return &client{cfg: cfg, logger: logger, data: sqltemplates.Data{Database: cfg.Connection.DatabaseName(), TTLSeconds: int64(cfg.TTL / time.Second)}}
}

// errSchema marks a schema problem on a server that answered: a config or
// DBA matter that retrying will not fix, so it fails the start.
var errSchema = errors.New("schema")

// start connects and brings the schema up to date. An unreachable server
// does not fail the collector: it is reported (component status, log) and
// retried in the background while the sending queue holds the data, so a
// ClickHouse outage during a restart loses nothing and causes no crash loop.
func (c *client) start(ctx context.Context, host component.Host) error {
	err := c.connect(ctx)
	if err == nil || errors.Is(err, errSchema) {
		return err
	}
	c.logger.Warn("ClickHouse unreachable; holding data in the sending queue and retrying", zap.Error(err))
	componentstatus.ReportStatus(host, componentstatus.NewRecoverableErrorEvent(err))
	c.stop = make(chan struct{})
	c.retries.Go(func() { c.reconnect(host) })
	return nil
}

// connect opens, pings and migrates (or checks) the schema.
func (c *client) connect(ctx context.Context) error {
	db, err := c.cfg.Connection.Open(ctx)
	if err != nil {
		c.lastErr.Store(&err)
		return err
	}
	if !c.cfg.CreateSchema {
		err = checkSchema(ctx, db, c.data)
	} else {
		err = migrate(ctx, db, c.data, c.logger)
	}
	if err != nil {
		_ = db.Close()
		return fmt.Errorf("%w: %w", errSchema, err)
	}
	c.db.Store(&db)
	return nil
}

// reconnect retries with backoff (1s doubling to 30s) until connected.
func (c *client) reconnect(host component.Host) {
	wait := time.Second
	for {
		select {
		case <-c.stop:
			return
		case <-time.After(wait):
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Connection.DialTimeout+time.Minute)
		err := c.connect(ctx)
		cancel()
		if err == nil {
			c.logger.Info("connected to ClickHouse; sending the queued data")
			componentstatus.ReportStatus(host, componentstatus.NewEvent(componentstatus.StatusOK))
			return
		}
		if errors.Is(err, errSchema) {
			componentstatus.ReportStatus(host, componentstatus.NewPermanentErrorEvent(err))
			c.logger.Error("ClickHouse answered but the schema is not usable", zap.Error(err))
			return
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func (c *client) shutdown(context.Context) error {
	if c.stop != nil {
		close(c.stop)
		c.retries.Wait()
	}
	if db := c.db.Load(); db != nil {
		return (*db).Close()
	}
	return nil
}

// conn is the connection, or a retryable error while there is none.
func (c *client) conn() (driver.Conn, error) {
	if db := c.db.Load(); db != nil {
		return *db, nil
	}
	err := errors.New("no connection yet")
	if last := c.lastErr.Load(); last != nil {
		err = *last
	}
	return nil, fmt.Errorf("ClickHouse not ready: %w", err)
}

// insert sends one batch built column by column (in the insert statement's
// order): appending whole columns skips the driver's per-row reflection.
func (c *client) insert(ctx context.Context, table, sql string, columns []any) error {
	db, err := c.conn()
	if err != nil {
		return err
	}
	batch, err := db.PrepareBatch(ctx, sql)
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
