package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
)

// migrate brings the schema to the newest version. Applied versions are
// recorded in schema_migrations; steps are idempotent, so two collectors
// starting together both succeed and record the same rows.
func migrate(ctx context.Context, db driver.Conn, data sqltemplates.Data, logger *zap.Logger) error {
	if err := migrateSteps(ctx, db, data, logger, sqltemplates.Migrations); err != nil {
		return err
	}
	return applyTTL(ctx, db, data, logger)
}

// migrateSteps applies the given steps of the history (tests start from an
// older schema with a prefix of it).
func migrateSteps(ctx context.Context, db driver.Conn, data sqltemplates.Data, logger *zap.Logger, steps []sqltemplates.Migration) error {
	for _, name := range sqltemplates.Bootstrap {
		if err := execTemplate(ctx, db, name, data); err != nil {
			return err
		}
	}
	applied, err := appliedVersions(ctx, db, data)
	if err != nil {
		return err
	}
	for _, m := range steps {
		if applied[m.Version] {
			continue
		}
		for _, name := range m.Statements {
			if table := m.OnlyIfTable[name]; table != "" {
				var exists uint8
				if err := db.QueryRow(ctx, "EXISTS TABLE `"+data.Database+"`.`"+table+"`").Scan(&exists); err != nil {
					return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
				}
				if exists == 0 {
					continue
				}
			}
			for _, d := range perTable(data, m.ForTables) {
				if err := execTemplate(ctx, db, name, d); err != nil {
					return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
				}
			}
		}
		if err := execTemplate(ctx, db, "schema_migrations_insert.sql", data, m.Version, m.Name); err != nil {
			return fmt.Errorf("record migration %d: %w", m.Version, err)
		}
		logger.Info("applied schema migration", zap.Uint32("version", m.Version), zap.String("name", m.Name))
	}
	return nil
}

// perTable is data once per table, or data alone for a step of no tables.
func perTable(data sqltemplates.Data, tables []string) []sqltemplates.Data {
	if len(tables) == 0 {
		return []sqltemplates.Data{data}
	}
	out := make([]sqltemplates.Data, len(tables))
	for i, t := range tables {
		out[i] = data
		out[i].Table = t
	}
	return out
}

// checkSchema is the create_schema: false path: it reads, never writes, and
// says what is missing so a DBA knows which migration to run.
func checkSchema(ctx context.Context, db driver.Conn, data sqltemplates.Data) error {
	applied, err := appliedVersions(ctx, db, data)
	if err != nil {
		return fmt.Errorf("create_schema is false and the schema is not readable: %w", err)
	}
	for _, m := range sqltemplates.Migrations {
		if !applied[m.Version] {
			return fmt.Errorf("create_schema is false and migration %d (%s) is not applied in database %q", m.Version, m.Name, data.Database)
		}
	}
	return nil
}

func appliedVersions(ctx context.Context, db driver.Conn, data sqltemplates.Data) (map[uint32]bool, error) {
	sql, err := sqltemplates.Render("schema_migrations_select.sql", data)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[uint32]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

func execTemplate(ctx context.Context, db driver.Conn, name string, data sqltemplates.Data, args ...any) error {
	sql, err := sqltemplates.Render(name, data)
	if err != nil {
		return err
	}
	if err := db.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("exec %s: %w", name, err)
	}
	return nil
}
