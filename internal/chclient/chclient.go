// Package chclient is how every component of this project connects to
// ClickHouse: endpoint parsing, TLS, credentials and driver options, once.
package chclient

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"
)

// Settings are a connection's settings, as the components' configs hold them.
type Settings struct {
	Endpoint         string
	Username         string
	Password         configopaque.String
	TLS              configtls.ClientConfig
	DialTimeout      time.Duration
	ConnectionParams map[string]string
}

// ErrBadEndpoint: the endpoint is not tcp://, clickhouse://, http:// or https:// with host:port.
var ErrBadEndpoint = errors.New("endpoint must be tcp://, clickhouse://, http:// or https:// with host:port")

var (
	nativeSchemes = map[string]bool{"tcp": true, "clickhouse": true}
	httpSchemes   = map[string]bool{"http": true, "https": true}
)

// EndpointURL parses and checks the endpoint.
func EndpointURL(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadEndpoint, err)
	}
	if (!nativeSchemes[u.Scheme] && !httpSchemes[u.Scheme]) || u.Host == "" || u.Port() == "" {
		return nil, fmt.Errorf("%w (got scheme %q, host %q)", ErrBadEndpoint, u.Scheme, u.Host)
	}
	return u, nil
}

// Options builds the driver options. It reads files (TLS), so it runs in Start.
func (s Settings) Options(ctx context.Context) (*clickhouse.Options, error) {
	u, err := EndpointURL(s.Endpoint)
	if err != nil {
		return nil, err
	}
	opts := &clickhouse.Options{
		Addr: []string{u.Host},
		Auth: clickhouse.Auth{
			// Statements name their database, so the connection does not
			// depend on it existing yet.
			Database: "default",
			Username: s.Username,
			Password: string(s.Password),
		},
		Protocol:    clickhouse.Native,
		DialTimeout: s.DialTimeout,
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
		// Synchronous inserts ack only what is in a part, and keep block
		// deduplication on, which async inserts skip (the server default
		// may be async_insert=1).
		Settings: clickhouse.Settings{"async_insert": 0},
	}
	if httpSchemes[u.Scheme] {
		opts.Protocol = clickhouse.HTTP
	}
	for k, v := range s.ConnectionParams {
		opts.Settings[k] = v
	}
	// Plaintext is the default (tls.insecure: true) so tcp://localhost works;
	// https:// or tls.insecure: false turns TLS on.
	if u.Scheme == "https" || !s.TLS.Insecure {
		tlsCfg, err := s.TLS.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load tls config: %w", err)
		}
		opts.TLS = tlsCfg
	}
	return opts, nil
}

// Open connects and pings within the dial timeout.
func (s Settings) Open(ctx context.Context) (driver.Conn, error) {
	opts, err := s.Options(ctx)
	if err != nil {
		return nil, err
	}
	db, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open ClickHouse connection: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, s.DialTimeout)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to ClickHouse at %s: %w", opts.Addr[0], err)
	}
	return db, nil
}
