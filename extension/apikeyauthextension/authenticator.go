package apikeyauthextension // import "github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension"

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

var _ extensionauth.Server = (*authenticator)(nil)

type authenticator struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	store     *apikey.Store
	now       func() time.Time

	reloadMu sync.Mutex
	lastSum  [sha256.Size]byte // of the file content last loaded

	usedMu   sync.RWMutex
	lastUsed map[string]*atomic.Int64 // key id -> unix seconds of its last accepted request
	stop     chan struct{}
	done     sync.WaitGroup
}

func newAuthenticator(cfg *Config, set extension.Settings) (*authenticator, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &authenticator{cfg: cfg, logger: set.Logger, telemetry: tb, store: apikey.NewStore(), now: time.Now, lastUsed: map[string]*atomic.Int64{}}, nil
}

// Start loads the keys file and watches it. A malformed file at start fails
// the start: there is nothing older to keep serving with.
func (a *authenticator) Start(_ context.Context, host component.Host) error {
	if err := a.reload(); err != nil {
		return err
	}
	a.logger.Info("API keys loaded", zap.String("keys_file", a.cfg.KeysFile), zap.Int("keys", a.store.Len()), zap.String("scope_required", string(a.cfg.Scope)))
	if n := a.store.Unscoped(); n > 0 {
		a.logger.Warn("keys without scopes can do everything (ingest, read, admin), as before scopes existed; replace them with scoped keys: agoractl keys create --scope ingest|read|admin, then agoractl keys revoke the old ones",
			zap.Int("unscoped_keys", n))
	}
	a.stop = make(chan struct{})
	a.done.Go(func() { a.watch(host) })
	return nil
}

func (a *authenticator) Shutdown(context.Context) error {
	if a.stop != nil {
		close(a.stop)
		a.done.Wait()
		a.stop = nil
	}
	a.telemetry.Shutdown()
	return nil
}

// watch re-reads the file every interval. A bad file keeps the keys already
// loaded and is reported in the log and in component status until fixed.
func (a *authenticator) watch(host component.Host) {
	t := time.NewTicker(a.cfg.ReloadInterval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
		}
		if err := a.reload(); err != nil {
			a.telemetry.ApikeyauthReloadFailures.Add(context.Background(), 1)
			if !failing {
				a.logger.Error("keys file not reloaded; keeping the keys already loaded", zap.String("keys_file", a.cfg.KeysFile), zap.Error(err))
				componentstatus.ReportStatus(host, componentstatus.NewRecoverableErrorEvent(err))
			}
			failing = true
			continue
		}
		if failing {
			a.logger.Info("keys file readable again", zap.String("keys_file", a.cfg.KeysFile), zap.Int("keys", a.store.Len()))
			componentstatus.ReportStatus(host, componentstatus.NewEvent(componentstatus.StatusOK))
			failing = false
		}
	}
}

// reload swaps in the file's keys when its content changed.
func (a *authenticator) reload() error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	b, err := os.ReadFile(a.cfg.KeysFile)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("read keys file: %w", err)
	}
	sum := sha256.Sum256(b)
	if sum == a.lastSum && a.lastSum != ([sha256.Size]byte{}) {
		return nil
	}
	f, err := apikey.Parse(b)
	if err != nil {
		return err
	}
	a.store.Replace(f)
	a.lastSum = sum
	a.logger.Debug("keys file loaded", zap.Int("keys", len(f.Keys)))
	return nil
}

// Authenticate checks the key in X-API-Key, else in Authorization: Bearer.
// The error is the reason (missing, malformed, unknown, revoked, expired)
// and never contains the key; logs show at most its display prefix.
func (a *authenticator) Authenticate(ctx context.Context, sources map[string][]string) (context.Context, error) {
	presented := apikey.FromHeaders(sources)
	key, err := a.store.Verify(presented, a.now())
	if err != nil {
		if ce := a.logger.Check(zap.DebugLevel, "API key refused"); ce != nil {
			fields := []zap.Field{zap.String("reason", err.Error())}
			if apikey.WellFormed(presented) {
				fields = append(fields, zap.String("key_prefix", apikey.DisplayPrefix(presented)))
			}
			ce.Write(fields...)
		}
		return ctx, err
	}
	if err := key.Require(a.cfg.Scope); err != nil {
		a.logger.Debug("API key refused", zap.String("reason", err.Error()), zap.String("key_id", key.ID))
		return ctx, err
	}
	a.markUsed(key.ID)
	info := client.FromContext(ctx)
	info.Auth = authData{key: key}
	return client.NewContext(ctx, info), nil
}

// markUsed records the time of a key's accepted request: a read lock and an
// atomic store on the hot path.
func (a *authenticator) markUsed(id string) {
	now := a.now().Unix()
	a.usedMu.RLock()
	t := a.lastUsed[id]
	a.usedMu.RUnlock()
	if t == nil {
		a.usedMu.Lock()
		if t = a.lastUsed[id]; t == nil {
			t = new(atomic.Int64)
			a.lastUsed[id] = t
		}
		a.usedMu.Unlock()
	}
	t.Store(now)
}

// LastUsed tells when the key was last accepted by this process.
func (a *authenticator) LastUsed(id string) (time.Time, bool) {
	a.usedMu.RLock()
	t := a.lastUsed[id]
	a.usedMu.RUnlock()
	if t == nil {
		return time.Time{}, false
	}
	return time.Unix(t.Load(), 0).UTC(), true
}

// authData is what downstream components read from client.Info.Auth.
type authData struct{ key *apikey.Key }

var authAttributeNames = []string{agora.AuthOrgID, agora.AuthOrgName, agora.AuthKeyID, agora.AuthKeyName}

func (d authData) GetAttribute(name string) any {
	switch name {
	case agora.AuthOrgID:
		return d.key.OrgID
	case agora.AuthOrgName:
		return d.key.OrgName
	case agora.AuthKeyID:
		return d.key.ID
	case agora.AuthKeyName:
		return d.key.Name
	}
	return nil
}

func (authData) GetAttributeNames() []string { return authAttributeNames }
