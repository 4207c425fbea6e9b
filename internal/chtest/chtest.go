// Package chtest gives tests a real ClickHouse: the local engine that
// `make test` starts (or the server named by the environment). A test that
// needs it fails, never skips, when it is absent.
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// NativeEndpoint is the native-protocol endpoint tests use.
func NativeEndpoint() string {
	return envOr("AGORA_TEST_CLICKHOUSE_NATIVE", "tcp://127.0.0.1:19000")
}

// HTTPEndpoint is the HTTP endpoint tests use.
func HTTPEndpoint() string {
	return envOr("AGORA_TEST_CLICKHOUSE_HTTP", "http://127.0.0.1:18123")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Conn opens a native connection and pings it; it fails t with how to start
// the engine when ClickHouse is not there.
func Conn(t testing.TB) driver.Conn {
	t.Helper()
	return ConnTo(t, NativeEndpoint())
}

// ConnTo is Conn to another engine's native endpoint.
func ConnTo(t testing.TB, endpoint string) driver.Conn {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatalf("AGORA_TEST_CLICKHOUSE_NATIVE: %v", err)
	}
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{u.Host}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open ClickHouse: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("ClickHouse is not reachable at %s (%v): run tests with `make test`, which starts the local engine", u.Host, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// NewDatabase returns a fresh database name and drops that database when the
// test ends, so tests never see each other's rows.
func NewDatabase(t testing.TB, conn driver.Conn) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`")
	})
	return name
}

// Rows runs a query and reads every row into T (a row type of
// internal/agora); times come back in UTC so whole rows compare equal.
func Rows[T any](t testing.TB, conn driver.Conn, query string, args ...any) []T {
	t.Helper()
	var rows []T
	if err := conn.Select(context.Background(), &rows, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	for i := range rows {
		utc(reflect.ValueOf(&rows[i]).Elem())
	}
	return rows
}

// utc sets every time.Time (and *time.Time) field of v to UTC.
func utc(v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch x := f.Addr().Interface().(type) {
		case *time.Time:
			*x = x.UTC()
		case **time.Time:
			if *x != nil {
				u := (*x).UTC()
				*x = &u
			}
		case *[]time.Time:
			for j := range *x {
				(*x)[j] = (*x)[j].UTC()
			}
		}
	}
}
