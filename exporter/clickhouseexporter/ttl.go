package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
)

// applyTTL makes the tables' TTL what the config says: tables take ttl when
// they are created, and a later change (or a database created before this
// step existed) is applied here at start — ALTER … MODIFY TTL, or REMOVE
// TTL for 0 — and recorded in schema_settings.
func applyTTL(ctx context.Context, db driver.Conn, data sqltemplates.Data, logger *zap.Logger) error {
	want := strconv.FormatInt(data.TTLSeconds, 10)
	q := "`" + data.Database + "`"
	var applied string
	err := db.QueryRow(ctx, "SELECT Value FROM "+q+".schema_settings FINAL WHERE Name = 'ttl'").Scan(&applied)
	if err == nil && applied == want {
		return nil
	}
	for table, column := range sqltemplates.TTLColumns {
		stmt := fmt.Sprintf("ALTER TABLE %s.`%s` MODIFY TTL toDateTime(%s) + toIntervalSecond(%d)", q, table, column, data.TTLSeconds)
		if data.TTLSeconds == 0 {
			var engine string
			if err := db.QueryRow(ctx, "SELECT engine_full FROM system.tables WHERE database = ? AND name = ?", data.Database, table).Scan(&engine); err != nil {
				return fmt.Errorf("ttl: read %s: %w", table, err)
			}
			if !strings.Contains(engine, " TTL ") {
				continue
			}
			stmt = fmt.Sprintf("ALTER TABLE %s.`%s` REMOVE TTL", q, table)
		}
		if err := db.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("ttl: %s: %w", table, err)
		}
	}
	if err := db.Exec(ctx, "INSERT INTO "+q+".schema_settings (Name, Value) VALUES ('ttl', ?)", want); err != nil {
		return fmt.Errorf("ttl: record: %w", err)
	}
	logger.Info("table TTL applied", zap.String("was", applied), zap.String("ttl_seconds", want))
	return nil
}
