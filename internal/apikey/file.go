package apikey

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// Org is an organization: every stored row belongs to exactly one.
type Org struct {
	ID        string    `yaml:"id"`
	Name      string    `yaml:"name"`
	CreatedAt time.Time `yaml:"created_at"`
}

// Key is one API key as stored: its hash and metadata, never the key.
type Key struct {
	ID        string     `yaml:"id"`
	OrgID     string     `yaml:"org_id"`
	OrgName   string     `yaml:"org_name"`
	Name      string     `yaml:"name"`
	Hash      string     `yaml:"hash"`
	Prefix    string     `yaml:"prefix"`
	CreatedAt time.Time  `yaml:"created_at"`
	ExpiresAt *time.Time `yaml:"expires_at,omitempty"`
	RevokedAt *time.Time `yaml:"revoked_at,omitempty"`
}

// File is the keys file's content.
type File struct {
	Orgs []Org `yaml:"orgs"`
	Keys []Key `yaml:"keys"`
}

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

const fileHeader = "# Agora API keys, managed by agoractl. Holds sha256 hashes, never the keys.\n"

// Parse decodes and checks a keys file. An empty document is an empty file.
func Parse(b []byte) (*File, error) {
	f := &File{}
	if len(bytes.TrimSpace(b)) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(f); err != nil {
			return nil, fmt.Errorf("keys file: %w", err)
		}
	}
	return f, f.validate()
}

func (f *File) validate() error {
	var errs error
	orgs := map[string]bool{}
	for i, o := range f.Orgs {
		if o.ID == "" || o.Name == "" {
			errs = errors.Join(errs, fmt.Errorf("keys file: orgs[%d]: id and name are required", i))
		}
		if orgs[o.ID] {
			errs = errors.Join(errs, fmt.Errorf("keys file: orgs[%d]: duplicate id %q", i, o.ID))
		}
		orgs[o.ID] = true
	}
	ids, hashes := map[string]bool{}, map[string]bool{}
	for i, k := range f.Keys {
		switch {
		case k.ID == "" || k.OrgID == "":
			errs = errors.Join(errs, fmt.Errorf("keys file: keys[%d]: id and org_id are required", i))
		case !hashPattern.MatchString(k.Hash):
			errs = errors.Join(errs, fmt.Errorf("keys file: keys[%d] (%s): hash must be 64 lowercase hex characters", i, k.ID))
		case ids[k.ID] || hashes[k.Hash]:
			errs = errors.Join(errs, fmt.Errorf("keys file: keys[%d] (%s): duplicate id or hash", i, k.ID))
		}
		ids[k.ID], hashes[k.Hash] = true, true
	}
	return errs
}

// Load reads a keys file. A missing file is an empty one: no keys, all refused.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &File{}, nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// Update applies change to the keys file under an exclusive lock and
// replaces the file atomically, so a running collector never reads half a file.
func Update(path string, change func(*File) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()

	f, err := Load(path)
	if err != nil {
		return err
	}
	if err := change(f); err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	out, err := yaml.Marshal(f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append([]byte(fileHeader), out...)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CreateKey adds a new key for the org named orgName, creating the org with
// its first key. It returns the key, which exists nowhere else: show it once.
func (f *File) CreateKey(orgName, keyName string, ttl time.Duration, now time.Time) (string, Key, error) {
	if orgName == "" || keyName == "" {
		return "", Key{}, errors.New("org and key name are required")
	}
	var org *Org
	for i := range f.Orgs {
		if f.Orgs[i].Name == orgName {
			org = &f.Orgs[i]
		}
	}
	if org == nil {
		f.Orgs = append(f.Orgs, Org{ID: newID(), Name: orgName, CreatedAt: now.UTC()})
		org = &f.Orgs[len(f.Orgs)-1]
	}
	return f.newKey(*org, keyName, ttl, now)
}

// CreateKeyInOrg adds a key to an existing org (the settings page: the org
// is the signed-in key's, never a name the user types).
func (f *File) CreateKeyInOrg(orgID, keyName string, ttl time.Duration, now time.Time) (string, Key, error) {
	if keyName == "" {
		return "", Key{}, errors.New("key name is required")
	}
	for _, o := range f.Orgs {
		if o.ID == orgID {
			return f.newKey(o, keyName, ttl, now)
		}
	}
	return "", Key{}, fmt.Errorf("no org with id %q", orgID)
}

func (f *File) newKey(org Org, keyName string, ttl time.Duration, now time.Time) (string, Key, error) {
	secret, err := Generate()
	if err != nil {
		return "", Key{}, err
	}
	k := Key{
		ID: "key_" + newID()[:12], OrgID: org.ID, OrgName: org.Name, Name: keyName,
		Hash: Hash(secret), Prefix: DisplayPrefix(secret), CreatedAt: now.UTC(),
	}
	if ttl > 0 {
		exp := now.UTC().Add(ttl)
		k.ExpiresAt = &exp
	}
	f.Keys = append(f.Keys, k)
	return secret, k, nil
}

// Revoke marks the key revoked; revoking twice keeps the first time.
func (f *File) Revoke(keyID string, now time.Time) error {
	for i := range f.Keys {
		if f.Keys[i].ID == keyID {
			if f.Keys[i].RevokedAt == nil {
				t := now.UTC()
				f.Keys[i].RevokedAt = &t
			}
			return nil
		}
	}
	return fmt.Errorf("no key with id %q", keyID)
}

// newID is a random 128-bit id in hex.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
