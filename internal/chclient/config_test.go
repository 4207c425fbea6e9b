package chclient

import (
	"context"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func options(t *testing.T, c Config) *clickhouse.Options {
	t.Helper()
	require.NoError(t, c.Validate())
	opts, err := c.Options(context.Background())
	require.NoError(t, err)
	return opts
}

func withEndpoint(dsn string) Config {
	c := NewDefaultConfig()
	c.Endpoint = dsn
	return c
}

func TestDSNMultipleHosts(t *testing.T) {
	opts := options(t, withEndpoint("tcp://ch-1:9000,ch-2:9000,ch-3:9440"))
	assert.Equal(t, []string{"ch-1:9000", "ch-2:9000", "ch-3:9440"}, opts.Addr)
	assert.Equal(t, clickhouse.Native, opts.Protocol)
}

func TestDSNCredentialsDatabaseAndSettings(t *testing.T) {
	c := withEndpoint("clickhouse://writer:s3cret@ch:9000/telemetry?max_insert_threads=4&compress=zstd")
	opts := options(t, c)
	assert.Equal(t, "writer", opts.Auth.Username)
	assert.Equal(t, "s3cret", opts.Auth.Password)
	assert.Equal(t, "telemetry", c.DatabaseName(), "the DSN's database holds the tables")
	assert.Equal(t, "default", opts.Auth.Database, "statements name their database, so it may not exist yet")
	assert.Equal(t, 4, opts.Settings["max_insert_threads"])
	assert.Equal(t, 0, opts.Settings["async_insert"])
	assert.Equal(t, clickhouse.CompressionZSTD, opts.Compression.Method)
}

func TestDSNTLS(t *testing.T) {
	opts := options(t, withEndpoint("tcp://ch:9440?secure=true&skip_verify=true"))
	require.NotNil(t, opts.TLS)
	assert.True(t, opts.TLS.InsecureSkipVerify)

	opts = options(t, withEndpoint("https://ch:8443"))
	require.NotNil(t, opts.TLS, "https implies TLS")
	assert.Equal(t, clickhouse.HTTP, opts.Protocol)

	opts = options(t, withEndpoint("http://ch:8123"))
	assert.Nil(t, opts.TLS)
	assert.Equal(t, clickhouse.HTTP, opts.Protocol)
}

func TestExplicitFieldsOverrideTheDSN(t *testing.T) {
	c := withEndpoint("tcp://dsnuser:dsnpass@ch:9000/dsndb?dial_timeout=1s")
	c.Username, c.Password, c.Database, c.DialTimeout = "cfguser", "cfgpass", "cfgdb", 3*time.Second
	c.ConnectionParams = map[string]string{"max_insert_threads": "2"}
	c.TLS.Insecure = false
	opts := options(t, c)
	assert.Equal(t, "cfguser", opts.Auth.Username)
	assert.Equal(t, "cfgpass", opts.Auth.Password)
	assert.Equal(t, "cfgdb", c.DatabaseName())
	assert.Equal(t, 3*time.Second, opts.DialTimeout)
	assert.Equal(t, "2", opts.Settings["max_insert_threads"])
	assert.NotNil(t, opts.TLS, "tls.insecure: false turns TLS on")
}

func TestDefaultDatabase(t *testing.T) {
	c := withEndpoint("tcp://ch:9000")
	assert.Equal(t, DefaultDatabase, c.DatabaseName())
}

func TestValidateErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		c    Config
		want error
	}{
		"no endpoint":      {NewDefaultConfig(), ErrNoEndpoint},
		"bad scheme":       {withEndpoint("ftp://ch:9000"), ErrBadEndpoint},
		"no port":          {withEndpoint("tcp://ch"), ErrBadEndpoint},
		"one host no port": {withEndpoint("tcp://ch-1:9000,ch-2"), ErrBadEndpoint},
		"bad database":     {Config{Endpoint: "tcp://ch:9000/x-y", DialTimeout: time.Second}, ErrBadDatabase},
		"no dial timeout":  {Config{Endpoint: "tcp://ch:9000"}, ErrBadDialTimeout},
	} {
		t.Run(name, func(t *testing.T) { c := tc.c; assert.ErrorIs(t, c.Validate(), tc.want) })
	}
}

func TestErrorsNeverHoldThePassword(t *testing.T) {
	for _, dsn := range []string{"ftp://u:hunter2@ch:9000", "tcp://u:hunter2@ch", "tcp://u:hunter2@%zz:9000"} {
		c := withEndpoint(dsn)
		err := c.Validate()
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "hunter2", dsn)
	}
}
