package clickhouseexporter // import "github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ClickHouse/ch-go"
	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2"
	"go.uber.org/zap"
)

// Inserts carry blocks that ch-go encodes column by column, straight from
// pdata: over HTTP as `INSERT ... FORMAT Native`, or over the native
// protocol. (DDL and queries go through clickhouse-go.)

// inserter sends one insert, its blocks in turn, to a table.
type inserter interface {
	insert(ctx context.Context, table string, bs *blocks) error
	ping(ctx context.Context) error
	close()
}

// insertSQL is the statement of a block: the table and its columns, in order.
func insertSQL(database, table string, input proto.Input) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + quoteIdent(database) + "." + quoteIdent(table) + " (")
	for i, c := range input {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c.Name))
	}
	b.WriteString(")")
	return b.String()
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func newInserter(opts *clickhouse.Options, database string, settings map[string]string, logger *zap.Logger) inserter {
	if opts.Protocol == clickhouse.HTTP {
		return newHTTPInserter(opts, database, settings)
	}
	return newNativeInserter(opts, database, settings, logger)
}

// httpInserter posts Native blocks; the server's answer says what failed.
type httpInserter struct {
	hosts    []string // scheme://host:port
	next     atomic.Uint32
	client   *http.Client
	database string
	params   url.Values
	user     string
	password string
	bufs     *freeList[*proto.Buffer]
}

func newHTTPInserter(opts *clickhouse.Options, database string, settings map[string]string) *httpInserter {
	scheme := "http"
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 16
	if opts.TLS != nil {
		scheme = "https"
		transport.TLSClientConfig = opts.TLS.Clone()
	}
	in := &httpInserter{client: &http.Client{Transport: transport}, database: database, params: url.Values{},
		user: opts.Auth.Username, password: opts.Auth.Password, bufs: newFreeList(idleBuilders, func() *proto.Buffer { return new(proto.Buffer) })}
	for _, a := range opts.Addr {
		in.hosts = append(in.hosts, scheme+"://"+a)
	}
	for k, v := range settings {
		in.params.Set(k, v)
	}
	return in
}

func (h *httpInserter) request(ctx context.Context, method, query string, body io.Reader) (*http.Response, error) {
	host := h.hosts[int(h.next.Load())%len(h.hosts)]
	u := host + "/?" + h.params.Encode()
	if query != "" {
		u += "&query=" + url.QueryEscape(query)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if h.user != "" {
		req.Header.Set("X-ClickHouse-User", h.user)
	}
	if h.password != "" {
		req.Header.Set("X-ClickHouse-Key", h.password)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.next.Add(1) // the next attempt tries another host
		return nil, err
	}
	return resp, nil
}

func (h *httpInserter) insert(ctx context.Context, table string, bs *blocks) error {
	buf := h.bufs.get()
	defer h.bufs.put(buf)
	buf.Reset()
	body := &blockReader{bs: bs, buf: buf}
	resp, err := h.request(ctx, http.MethodPost, insertSQL(h.database, table, bs.input)+" FORMAT Native", body)
	// The transport may still read the body after Do returns (on errors):
	// stopping it keeps it off the builders and the buffer once they are
	// handed back.
	if failed := body.stop(); failed != nil {
		if err == nil {
			resp.Body.Close()
		}
		return failed
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	code, _ := strconv.Atoi(resp.Header.Get("X-ClickHouse-Exception-Code"))
	return &serverError{code: code, msg: strings.TrimSpace(string(msg))}
}

// blockReader is an insert's body: its blocks in Native format (the format
// as revision 0 writes blocks), each encoded when the last one is sent.
type blockReader struct {
	mu      sync.Mutex
	bs      *blocks
	buf     *proto.Buffer
	off     int
	started bool
	stopped bool
	err     error // an encoding failure: the rows are at fault
}

func (r *blockReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.off == len(r.buf.Buf) {
		if r.err != nil {
			return 0, r.err
		}
		if r.stopped {
			// Not io.EOF: a body cut short must fail the request, never
			// end it cleanly with some of its blocks.
			return 0, errBodyStopped
		}
		if r.started {
			more, err := r.bs.advance()
			if err != nil {
				r.err = err
				return 0, err
			}
			if !more {
				return 0, io.EOF
			}
		}
		r.started = true
		r.buf.Reset()
		r.off = 0
		if err := (proto.Block{Columns: len(r.bs.input), Rows: r.bs.rows}).EncodeRawBlock(r.buf, 0, r.bs.input); err != nil {
			r.err = errBadBlock{err}
			return 0, r.err
		}
	}
	n := copy(p, r.buf.Buf[r.off:])
	r.off += n
	return n, nil
}

var errBodyStopped = errors.New("insert body read after the insert ended")

// stop ends the body's reads; it returns the encoding failure, if any.
func (r *blockReader) stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	return r.err
}

func (h *httpInserter) ping(ctx context.Context) error {
	resp, err := h.request(ctx, http.MethodGet, "SELECT 1", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ClickHouse answered %s", resp.Status)
	}
	return nil
}

func (h *httpInserter) close() { h.client.CloseIdleConnections() }

// nativeInserter keeps a few native connections; a failed one is dropped.
type nativeInserter struct {
	opts     ch.Options
	addrs    []string
	next     atomic.Uint32
	database string
	settings []ch.Setting
	idle     chan *ch.Client
}

func newNativeInserter(opts *clickhouse.Options, database string, settings map[string]string, logger *zap.Logger) *nativeInserter {
	n := &nativeInserter{addrs: opts.Addr, database: database, idle: make(chan *ch.Client, 16),
		opts: ch.Options{Logger: logger, User: opts.Auth.Username, Password: opts.Auth.Password, DialTimeout: opts.DialTimeout,
			TLS: opts.TLS, ClientName: "agora-otelcol", Compression: ch.CompressionLZ4}}
	if opts.Compression != nil && opts.Compression.Method == clickhouse.CompressionNone {
		n.opts.Compression = ch.CompressionDisabled
	}
	if opts.Compression != nil && opts.Compression.Method == clickhouse.CompressionZSTD {
		n.opts.Compression = ch.CompressionZSTD
	}
	for k, v := range settings {
		n.settings = append(n.settings, ch.Setting{Key: k, Value: v, Important: true})
	}
	return n
}

func (n *nativeInserter) conn(ctx context.Context) (*ch.Client, error) {
	select {
	case c := <-n.idle:
		if !c.IsClosed() {
			return c, nil
		}
	default:
	}
	opts := n.opts
	opts.Address = n.addrs[int(n.next.Load())%len(n.addrs)]
	c, err := ch.Dial(ctx, opts)
	if err != nil {
		n.next.Add(1)
		return nil, err
	}
	return c, nil
}

func (n *nativeInserter) release(c *ch.Client, err error) {
	var ex *ch.Exception
	if err != nil && !errors.As(err, &ex) { // the connection may be broken
		_ = c.Close()
		return
	}
	select {
	case n.idle <- c:
	default:
		_ = c.Close()
	}
}

func (n *nativeInserter) insert(ctx context.Context, table string, bs *blocks) error {
	c, err := n.conn(ctx)
	if err != nil {
		return err
	}
	q := ch.Query{Body: insertSQL(n.database, table, bs.input) + " VALUES", Input: bs.input, Settings: n.settings}
	if bs.rs != nil {
		// The next chunk refills the same columns; none left ends the insert
		// (with no rows left in them, or ch-go would send them again).
		q.OnInput = func(context.Context) error {
			more, err := bs.advance()
			if err != nil {
				return err
			}
			if !more {
				return io.EOF
			}
			return nil
		}
	}
	err = c.Do(ctx, q)
	n.release(c, err)
	if ex, ok := ch.AsException(err); ok {
		return &serverError{code: int(ex.Code), msg: ex.Message}
	}
	return err
}

func (n *nativeInserter) ping(ctx context.Context) error {
	c, err := n.conn(ctx)
	if err != nil {
		return err
	}
	err = c.Ping(ctx)
	n.release(c, err)
	return err
}

func (n *nativeInserter) close() {
	for {
		select {
		case c := <-n.idle:
			_ = c.Close()
		default:
			return
		}
	}
}
