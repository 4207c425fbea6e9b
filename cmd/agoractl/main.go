// Command agoractl manages Agora API keys in the keys file that the
// apikeyauth extension watches.
//
//	agoractl keys create --org ORG --name NAME [--scope ingest,read,admin] [--expires DURATION] [--keys-file F]
//	agoractl keys list [--keys-file F]
//	agoractl keys revoke ID [--keys-file F]
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

const usage = `usage:
  agoractl keys create --org ORG --name NAME [--scope SCOPES] [--expires DURATION] [--keys-file F]
  agoractl keys list [--keys-file F]
  agoractl keys revoke ID [--keys-file F]
  agoractl version

Every keys command takes --output json for scripts (create's JSON holds the
key, once). The keys file defaults to $AGORA_KEYS_FILE, else data/keys.yaml. SCOPES is a
comma-separated list of ingest (send telemetry: what an SDK needs; the
default), read (UI and query API) and admin (manage keys; implies read).
DURATION is a Go duration (720h) or a number of days (30d). create prints the
key once, as the last line of its output: it is stored nowhere, only its
sha256 is.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, time.Now))
}

func run(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	if len(args) == 1 && args[0] == "version" {
		fmt.Fprintln(stdout, version())
		return 0
	}
	if len(args) < 2 || args[0] != "keys" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd := args[1]
	fs := flag.NewFlagSet("agoractl keys "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	keysFile := fs.String("keys-file", defaultKeysFile(), "keys file")
	org := fs.String("org", "", "organization name (create)")
	name := fs.String("name", "", "key name (create)")
	expires := fs.String("expires", "", "lifetime, e.g. 720h or 30d (create; default: never)")
	scope := fs.String("scope", string(apikey.ScopeIngest), "ingest, read, admin, comma-separated (create)")
	output := fs.String("output", "text", "text or json")
	// Accept the revoke ID before or after flags.
	rest := args[2:]
	var positional []string
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}

	if *output != "text" && *output != "json" {
		fmt.Fprintf(stderr, "agoractl: --output %q: want text or json\n", *output)
		return 2
	}
	out := printer{w: stdout, json: *output == "json"}
	var err error
	switch cmd {
	case "create":
		err = create(out, stderr, *keysFile, keySpec{*org, *name, *scope, *expires}, now())
	case "list":
		err = list(out, *keysFile, now())
	case "revoke":
		if len(positional) != 1 {
			err = errors.New("revoke takes exactly one key ID (see `agoractl keys list`)")
		} else {
			var warning string
			warning, err = apikey.Update(*keysFile, func(f *apikey.File) error { return f.Revoke(positional[0], now()) })
			warn(stderr, warning)
			if err == nil {
				out.print(map[string]any{"revoked": positional[0]}, "revoked %s; running collectors refuse it within their reload_interval\n", positional[0])
			}
		}
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "agoractl:", err)
		return 1
	}
	return 0
}

func defaultKeysFile() string {
	if f := os.Getenv("AGORA_KEYS_FILE"); f != "" {
		return f
	}
	return "data/keys.yaml"
}

// warn shows a keys file warning (e.g. the collector's user may no longer
// read it).
func warn(stderr io.Writer, warning string) {
	if warning != "" {
		fmt.Fprintln(stderr, "agoractl: warning:", warning)
	}
}

type keySpec struct{ org, name, scopes, expires string }

func create(w printer, stderr io.Writer, path string, spec keySpec, now time.Time) error {
	if spec.org == "" || spec.name == "" {
		return errors.New("create needs --org and --name")
	}
	scopes, err := apikey.ParseScopes(spec.scopes)
	if err != nil {
		return fmt.Errorf("--scope: %w", err)
	}
	ttl, err := parseLifetime(spec.expires)
	if err != nil {
		return err
	}
	var secret string
	var key apikey.Key
	warning, err := apikey.Update(path, func(f *apikey.File) (err error) {
		secret, key, err = f.CreateKey(spec.org, spec.name, scopes, ttl, now)
		return err
	})
	warn(stderr, warning)
	if err != nil {
		return err
	}
	if w.json {
		w.print(struct {
			keyView
			Key string `json:"key"`
		}{view(key, now), secret}, "")
		return nil
	}
	fmt.Fprintf(w.w, "created key %s (%s) for org %s (%s), scopes %s", key.ID, key.Name, key.OrgName, key.OrgID, apikey.JoinScopes(key.Scopes))
	if key.ExpiresAt != nil {
		fmt.Fprintf(w.w, ", expires %s", key.ExpiresAt.Format(time.RFC3339))
	}
	fmt.Fprintf(w.w, "\nthe key is shown once; store it now:\n%s\n", secret)
	return nil
}

func parseLifetime(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("--expires %q: want a positive number of days or a duration", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: want a positive duration (720h) or days (30d)", s)
	}
	return d, nil
}

func list(w printer, path string, now time.Time) error {
	f, err := apikey.Load(path)
	if err != nil {
		return err
	}
	views := make([]keyView, len(f.Keys))
	for i, k := range f.Keys {
		views[i] = view(k, now)
	}
	if w.json {
		w.print(map[string]any{"keys": views}, "")
		return nil
	}
	tw := tabwriter.NewWriter(w.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tORG\tORG ID\tNAME\tSCOPES\tPREFIX\tCREATED\tEXPIRES\tSTATUS")
	for _, v := range views {
		exp := "never"
		if v.ExpiresAt != nil {
			exp = v.ExpiresAt.Format(time.RFC3339)
		}
		scopes := strings.Join(v.Scopes, ",")
		if v.Unscoped {
			scopes = "all (unscoped)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.OrgName, v.OrgID, v.Name, scopes, v.Prefix, v.CreatedAt.Format(time.RFC3339), exp, v.Status)
	}
	return tw.Flush()
}

// keyView is a key as agoractl shows it: never its hash or secret.
type keyView struct {
	ID        string     `json:"id"`
	OrgID     string     `json:"org_id"`
	OrgName   string     `json:"org_name"`
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	Unscoped  bool       `json:"unscoped,omitempty"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	Status    string     `json:"status"` // active, expired, revoked
}

func view(k apikey.Key, now time.Time) keyView {
	v := keyView{ID: k.ID, OrgID: k.OrgID, OrgName: k.OrgName, Name: k.Name, Unscoped: k.Unscoped(), Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, Status: "active"}
	for _, sc := range k.ScopeNames() {
		v.Scopes = append(v.Scopes, string(sc))
	}
	if k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) {
		v.Status = "expired"
	}
	if k.RevokedAt != nil {
		v.Status = "revoked"
	}
	return v
}

// printer writes text, or JSON (one document) with --output json.
type printer struct {
	w    io.Writer
	json bool
}

func (p printer) print(v any, format string, args ...any) {
	if p.json {
		b, _ := json.Marshal(v)
		fmt.Fprintln(p.w, string(b))
		return
	}
	fmt.Fprintf(p.w, format, args...)
}

// version is agoractl's module version and VCS revision, from the build.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "agoractl (unknown version)"
	}
	v := "agoractl " + info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += " (modified)"
			}
		}
	}
	return v + " " + info.GoVersion
}
