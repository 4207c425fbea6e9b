package walstorageextension // import "github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

type walStorage struct {
	cfg    *Config
	logger *zap.Logger

	mu      sync.Mutex
	clients map[*log]struct{}
}

var _ storage.Extension = (*walStorage)(nil)

func newExtension(cfg *Config, logger *zap.Logger) *walStorage {
	return &walStorage{cfg: cfg, logger: logger, clients: map[*log]struct{}{}}
}

// Start checks (or creates) the directory; clients open their files later.
func (w *walStorage) Start(context.Context, component.Host) error {
	if w.cfg.CreateDirectory {
		if err := os.MkdirAll(w.cfg.Directory, 0o750); err != nil {
			return fmt.Errorf("wal_storage: create directory: %w", err)
		}
	}
	st, err := os.Stat(w.cfg.Directory)
	if err != nil {
		return fmt.Errorf("wal_storage: directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("wal_storage: %s is not a directory", w.cfg.Directory)
	}
	return nil
}

// Shutdown closes the clients their components left open.
func (w *walStorage) Shutdown(ctx context.Context) error {
	w.mu.Lock()
	open := make([]*log, 0, len(w.clients))
	for l := range w.clients {
		open = append(open, l)
	}
	w.mu.Unlock()
	var errs error
	for _, l := range open {
		errs = errors.Join(errs, l.Close(ctx))
	}
	return errs
}

// GetClient opens the client's log: its own subdirectory, named like
// file_storage's files (kind_type_name_storageName).
func (w *walStorage) GetClient(_ context.Context, kind component.Kind, id component.ID, storageName string) (storage.Client, error) {
	dir := filepath.Join(w.cfg.Directory, clientName(kind, id, storageName))
	l, err := openLog(dir, w.cfg.SegmentSize, w.cfg.Fsync, w.logger.With(zap.String("client", filepath.Base(dir))))
	if err != nil {
		return nil, fmt.Errorf("wal_storage: %w", err)
	}
	w.mu.Lock()
	w.clients[l] = struct{}{}
	w.mu.Unlock()
	l.onClose = func() {
		w.mu.Lock()
		delete(w.clients, l)
		w.mu.Unlock()
	}
	return l, nil
}

func clientName(kind component.Kind, id component.ID, storageName string) string {
	name := fmt.Sprintf("%s_%s_%s", strings.ToLower(kind.String()), id.Type(), id.Name())
	if storageName != "" {
		name += "_" + storageName
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			return r
		}
		return '_'
	}, name)
}
