// Package chclient is how every component of this project connects to
// ClickHouse: one connection config type, with its defaults, validation and
// driver options, embedded by name (`clickhouse:`) in the exporter and the UI.
package chclient

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"
)

// Config is a ClickHouse connection.
type Config struct {
	// Endpoint is a clickhouse-go DSN: tcp:// or clickhouse:// (native
	// protocol) or http(s):// with one or more comma-separated host:port,
	// optional user:password@, /database and query parameters (secure,
	// skip_verify, compress, any ClickHouse setting). Required.
	Endpoint string `mapstructure:"endpoint"`
	// Username overrides the DSN's user. Default: the DSN's, else the server's default user.
	Username string `mapstructure:"username"`
	// Password overrides the DSN's password. Default: the DSN's, else "".
	Password configopaque.String `mapstructure:"password"`
	// Database holds the tables. Default: the DSN's path, else "agora".
	Database string `mapstructure:"database"`
	// TLS overrides the DSN's TLS when set (insecure: false, or any file).
	// Default: insecure: true (plaintext unless the DSN says secure=true or
	// the scheme is https).
	TLS configtls.ClientConfig `mapstructure:"tls"`
	// DialTimeout bounds connecting; it overrides the DSN's dial_timeout.
	// Default: 10s.
	DialTimeout time.Duration `mapstructure:"dial_timeout"`
	// ConnectionParams are ClickHouse settings sent with every query, added
	// to the DSN's. Default: none (async_insert=0 is always set).
	ConnectionParams map[string]string `mapstructure:"connection_params"`
}

// DefaultDatabase is the database of a config and DSN that name none.
const DefaultDatabase = "agora"

// NewDefaultConfig is a config with every default but the endpoint.
func NewDefaultConfig() Config {
	return Config{TLS: configtls.ClientConfig{Insecure: true}, DialTimeout: 10 * time.Second}
}

var (
	// ErrNoEndpoint: endpoint is empty.
	ErrNoEndpoint = errors.New("endpoint must be specified")
	// ErrBadEndpoint: the endpoint is not a DSN this client speaks.
	ErrBadEndpoint = errors.New("endpoint must be a DSN with scheme tcp, clickhouse, http or https and host:port")
	// ErrBadDatabase: the database is not a plain identifier.
	ErrBadDatabase = errors.New("database must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)")
	// ErrBadDialTimeout: dial_timeout is not positive.
	ErrBadDialTimeout = errors.New("dial_timeout must be positive")

	identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	schemes    = map[string]bool{"tcp": true, "clickhouse": true, "http": true, "https": true}
)

// Validate checks the config without contacting ClickHouse.
func (c *Config) Validate() error {
	var errs error
	if c.Endpoint == "" {
		errs = errors.Join(errs, ErrNoEndpoint)
	} else if _, err := c.parse(); err != nil {
		errs = errors.Join(errs, err)
	} else if !identifier.MatchString(c.DatabaseName()) {
		errs = errors.Join(errs, ErrBadDatabase)
	}
	if c.DialTimeout <= 0 {
		errs = errors.Join(errs, ErrBadDialTimeout)
	}
	return errs
}

// parse reads the DSN with clickhouse-go's own parser. https implies TLS,
// as users expect (the driver wants secure=true spelled out).
func (c *Config) parse() (*clickhouse.Options, error) {
	u, err := url.Parse(c.Endpoint)
	if err != nil || !schemes[u.Scheme] || u.Host == "" {
		// Never echo the endpoint: it may hold a password.
		return nil, ErrBadEndpoint
	}
	if q := u.Query(); u.Scheme == "https" && !q.Has("secure") {
		q.Set("secure", "true")
		u.RawQuery = q.Encode()
	}
	opts, err := clickhouse.ParseDSN(u.String())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadEndpoint, err)
	}
	for _, addr := range opts.Addr {
		if h, err := url.Parse("//" + addr); err != nil || h.Port() == "" {
			return nil, fmt.Errorf("%w: host %q has no port", ErrBadEndpoint, addr)
		}
	}
	return opts, nil
}

// DatabaseName is the database the tables live in.
func (c *Config) DatabaseName() string {
	if c.Database != "" {
		return c.Database
	}
	if opts, err := c.parse(); err == nil && opts.Auth.Database != "" {
		return opts.Auth.Database
	}
	return DefaultDatabase
}

// Options builds the driver options: the DSN's, then the explicit fields.
// It reads files (TLS), so it runs in Start.
func (c *Config) Options(ctx context.Context) (*clickhouse.Options, error) {
	opts, err := c.parse()
	if err != nil {
		return nil, err
	}
	// Statements name their database, so the connection does not depend on
	// it existing yet (the exporter creates it).
	opts.Auth.Database = "default"
	if c.Username != "" {
		opts.Auth.Username = c.Username
	}
	if c.Password != "" {
		opts.Auth.Password = string(c.Password)
	}
	opts.DialTimeout = c.DialTimeout
	if opts.Compression == nil {
		opts.Compression = &clickhouse.Compression{Method: clickhouse.CompressionLZ4}
	}
	for k, v := range c.ConnectionParams {
		opts.Settings[k] = v
	}
	// Synchronous inserts ack only what is in a part, and keep block
	// deduplication on, which async inserts skip (the server default may be
	// async_insert=1).
	opts.Settings["async_insert"] = 0
	if !c.TLS.Insecure || c.TLS.CAFile != "" || c.TLS.CertFile != "" || c.TLS.CAPem != "" {
		tlsCfg, err := c.TLS.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load tls config: %w", err)
		}
		opts.TLS = tlsCfg
	}
	return opts, nil
}

// Open connects and pings within the dial timeout.
func (c *Config) Open(ctx context.Context) (driver.Conn, error) {
	opts, err := c.Options(ctx)
	if err != nil {
		return nil, err
	}
	db, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open ClickHouse connection: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, c.DialTimeout)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to ClickHouse at %v: %w", opts.Addr, err)
	}
	return db, nil
}
