package apikey

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"
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
	// Scopes: what the key may do. Absent in files from before scopes:
	// such a key keeps doing everything (see Unscoped).
	Scopes []Scope `yaml:"scopes,omitempty,flow"`
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
		for _, s := range k.Scopes {
			if !slices.Contains(Scopes, s) {
				errs = errors.Join(errs, fmt.Errorf("keys file: keys[%d] (%s): unknown scope %q, want %s", i, k.ID, s, JoinScopes(Scopes)))
			}
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
// replaces the file atomically, so a running collector never reads half a
// file. The new file keeps the old one's mode, owner and group (as far as
// this user may set them): a collector running as another user must still
// read it. The warning says when it may not.
func Update(path string, change func(*File) error) (warning string, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	// The lock is the directory's: whoever may replace the file in it may
	// lock it, whichever user made it first (a lock file would belong to one).
	lock, err := os.Open(filepath.Dir(path))
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock %s: %w", path, err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()

	f, err := Load(path)
	if err != nil {
		return "", err
	}
	if err := change(f); err != nil {
		return "", err
	}
	if err := f.validate(); err != nil {
		return "", err
	}
	out, err := yaml.Marshal(f)
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*.yaml")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if old, err := os.Stat(path); err == nil {
		warning = keepOwnership(tmp, old)
	}
	if _, err := tmp.Write(append([]byte(fileHeader), out...)); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return warning, os.Rename(tmp.Name(), path)
}

// keepOwnership gives the new file the old one's mode, owner and group.
// Only root may give a file away; a member of the old group may keep the
// group. When the old owner ends up unable to read the file, the warning
// says so: a collector running as that user would keep the old keys.
func keepOwnership(tmp *os.File, old os.FileInfo) (warning string) {
	_ = tmp.Chmod(old.Mode().Perm())
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if tmp.Chown(int(st.Uid), int(st.Gid)) != nil {
		_ = tmp.Chown(-1, int(st.Gid))
	}
	now, err := tmp.Stat()
	if err != nil {
		return ""
	}
	ns, ok := now.Sys().(*syscall.Stat_t)
	if !ok || readableBy(st.Uid, groupsOf(st.Uid, st.Gid), ns.Uid, ns.Gid, now.Mode().Perm()) {
		return ""
	}
	return fmt.Sprintf("the keys file is now owned by uid %d (was %d) with mode %v: a collector running as uid %d cannot read it and keeps its old keys; run agoractl as that user or fix the owner",
		ns.Uid, st.Uid, now.Mode().Perm(), st.Uid)
}

// groupsOf are the user's groups from the system's user database; for a
// user it does not know, the file's old group is assumed (the owner read
// the file somehow).
func groupsOf(uid, fileGID uint32) []uint32 {
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil {
		return []uint32{fileGID}
	}
	ids, _ := u.GroupIds()
	var out []uint32
	for _, id := range append(ids, u.Gid) {
		if g, err := strconv.ParseUint(id, 10, 32); err == nil {
			out = append(out, uint32(g))
		}
	}
	return out
}

// readableBy: can user uid, in these groups, read a file owned by
// fileUID:fileGID with this mode?
func readableBy(uid uint32, groups []uint32, fileUID, fileGID uint32, mode os.FileMode) bool {
	switch {
	case uid == 0:
		return true
	case uid == fileUID:
		return mode&0o400 != 0
	case slices.Contains(groups, fileGID):
		return mode&0o040 != 0
	}
	return mode&0o004 != 0
}

// CreateKey adds a new key for the org named orgName, creating the org with
// its first key; no scopes means DefaultScopes. It returns the key, which
// exists nowhere else: show it once.
func (f *File) CreateKey(orgName, keyName string, scopes []Scope, ttl time.Duration, now time.Time) (string, Key, error) {
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
	return f.newKey(*org, keyName, scopes, ttl, now)
}

// CreateKeyInOrg adds a key to an existing org (the settings page: the org
// is the signed-in key's, never a name the user types).
func (f *File) CreateKeyInOrg(orgID, keyName string, scopes []Scope, ttl time.Duration, now time.Time) (string, Key, error) {
	if keyName == "" {
		return "", Key{}, errors.New("key name is required")
	}
	for _, o := range f.Orgs {
		if o.ID == orgID {
			return f.newKey(o, keyName, scopes, ttl, now)
		}
	}
	return "", Key{}, fmt.Errorf("no org with id %q", orgID)
}

func (f *File) newKey(org Org, keyName string, scopes []Scope, ttl time.Duration, now time.Time) (string, Key, error) {
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	secret, err := Generate()
	if err != nil {
		return "", Key{}, err
	}
	k := Key{
		ID: "key_" + newID()[:12], OrgID: org.ID, OrgName: org.Name, Name: keyName,
		Hash: Hash(secret), Prefix: DisplayPrefix(secret), CreatedAt: now.UTC(), Scopes: slices.Clone(scopes),
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
