package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
)

// client is what every signal's exporter shares: the connection, the schema,
// the inserts and the component status. It never gives up on ClickHouse:
// whatever failed (unreachable, schema, refused connection), the next
// insert after a second tries to connect and migrate again, while the
// sending queue holds the data.
type client struct {
	cfg       *Config
	logger    *zap.Logger
	data      sqltemplates.Data
	telemetry *telemetry

	mu       sync.Mutex
	db       driver.Conn // queries and DDL (clickhouse-go)
	ins      inserter    // blocks (ch-go)
	lastTry  time.Time
	lastErr  error
	host     component.Host
	healthy  bool // as last reported
	reported bool
	lastOK   time.Time

	stop chan struct{}
	done sync.WaitGroup
}

// reconnectEvery bounds connection attempts: at most one per interval, so a
// backlog starts draining within a second or two of ClickHouse's return.
const reconnectEvery = time.Second

func newClient(cfg *Config, logger *zap.Logger, tel *telemetry) *client {
	return &client{cfg: cfg, logger: logger, telemetry: tel,
		data: sqltemplates.Data{Database: cfg.Connection.DatabaseName(), TTLSeconds: int64(cfg.TTL / time.Second)}}
}

// start connects once and starts watching ClickHouse. An unreachable server
// or a failing schema step does not fail the collector: it is reported in
// component status and retried, and the queue holds the data meanwhile.
func (c *client) start(ctx context.Context, host component.Host) error {
	c.host = host
	if err := c.ensure(ctx); err != nil {
		c.logger.Warn("ClickHouse not ready; holding data in the sending queue and retrying", zap.Error(err))
	}
	c.stop = make(chan struct{})
	c.done.Go(c.watch)
	return nil
}

func (c *client) shutdown(context.Context) error {
	if c.stop != nil {
		close(c.stop)
		c.done.Wait()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ins != nil {
		c.ins.close()
	}
	if c.db != nil {
		return c.db.Close()
	}
	return nil
}

// ensure connects and brings the schema up to date unless that is done.
func (c *client) ensure(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ins != nil {
		return nil
	}
	if time.Since(c.lastTry) < reconnectEvery && c.lastErr != nil {
		return c.lastErr
	}
	c.lastTry = time.Now()
	c.lastErr = c.connect(ctx)
	if c.lastErr != nil {
		c.report(c.lastErr)
		return c.lastErr
	}
	c.report(nil)
	return nil
}

// connect opens, pings and migrates (or checks) the schema. Called locked.
func (c *client) connect(ctx context.Context) error {
	db, err := c.cfg.Connection.Open(ctx)
	if err != nil {
		return fmt.Errorf("ClickHouse unreachable: %w", err)
	}
	if !c.cfg.CreateSchema {
		err = checkSchema(ctx, db, c.data)
	} else {
		err = migrate(ctx, db, c.data, c.logger)
	}
	if err != nil {
		_ = db.Close()
		return fmt.Errorf("ClickHouse schema not ready: %w", err)
	}
	opts, err := c.cfg.Connection.Options(ctx)
	if err != nil {
		_ = db.Close()
		return err
	}
	// optimize_on_insert=0: a Replacing table would otherwise collapse each
	// inserted block by its key before writing the part, which cost a quarter
	// of the engine's insert CPU in bench-compare. Versions collapse at merge
	// and every read uses FINAL, so the rows read are the same.
	settings := map[string]string{"async_insert": "0", "optimize_on_insert": "0"}
	for k, v := range c.cfg.Connection.ConnectionParams {
		settings[k] = v
	}
	c.db, c.ins = db, newInserter(opts, c.data.Database, settings, c.logger)
	return nil
}

// insertBlocks sends one insert. A failure that is not about the rows (the
// connection, the server) is retried by the caller; after a failed insert
// the next one may reconnect.
func (c *client) insertBlocks(ctx context.Context, table string, bs *blocks) error {
	if err := c.ensure(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	ins := c.ins
	c.mu.Unlock()
	err := ins.insert(ctx, table, bs)
	switch {
	case err == nil:
		c.mu.Lock()
		c.lastOK = time.Now()
		c.report(nil)
		c.mu.Unlock()
	case !rowsAtFault(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
		c.mu.Lock()
		c.report(fmt.Errorf("insert into %s failed: %w", table, err))
		c.mu.Unlock()
	}
	return err
}

// watch tells component status the truth within a few seconds when no data
// flows: it pings ClickHouse (or keeps trying to connect) while no insert
// succeeded lately.
func (c *client) watch() {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.mu.Lock()
		ins, quiet := c.ins, time.Since(c.lastOK) > 2*time.Second
		c.mu.Unlock()
		if !quiet {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Connection.DialTimeout)
		if ins == nil {
			_ = c.ensure(ctx)
		} else if err := ins.ping(ctx); err != nil {
			c.mu.Lock()
			c.report(fmt.Errorf("ClickHouse unreachable: %w", err))
			c.mu.Unlock()
		} else {
			c.mu.Lock()
			c.lastOK = time.Now()
			c.report(nil)
			c.mu.Unlock()
		}
		cancel()
	}
}

// report sends a component status event when health changes. Called locked.
func (c *client) report(err error) {
	healthy := err == nil
	if c.reported && healthy == c.healthy || c.host == nil {
		return
	}
	c.reported, c.healthy = true, healthy
	if healthy {
		c.logger.Info("ClickHouse reachable; sending the queued data")
		componentstatus.ReportStatus(c.host, componentstatus.NewEvent(componentstatus.StatusOK))
		return
	}
	c.logger.Warn("ClickHouse unavailable; holding data in the sending queue and retrying", zap.Error(err))
	componentstatus.ReportStatus(c.host, componentstatus.NewRecoverableErrorEvent(err))
}
