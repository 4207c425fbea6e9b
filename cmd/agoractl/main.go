// Command agoractl manages Agora API keys in the keys file that the
// apikeyauth extension watches.
//
//	agoractl keys create --org ORG --name NAME [--scope ingest,read,admin] [--expires DURATION] [--keys-file F]
//	agoractl keys list [--keys-file F]
//	agoractl keys revoke ID [--keys-file F]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
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

The keys file defaults to $AGORA_KEYS_FILE, else data/keys.yaml. SCOPES is a
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

	var err error
	switch cmd {
	case "create":
		err = create(stdout, stderr, *keysFile, keySpec{*org, *name, *scope, *expires}, now())
	case "list":
		err = list(stdout, *keysFile, now())
	case "revoke":
		if len(positional) != 1 {
			err = errors.New("revoke takes exactly one key ID (see `agoractl keys list`)")
		} else {
			var warning string
			warning, err = apikey.Update(*keysFile, func(f *apikey.File) error { return f.Revoke(positional[0], now()) })
			warn(stderr, warning)
			if err == nil {
				fmt.Fprintf(stdout, "revoked %s; running collectors refuse it within their reload_interval\n", positional[0])
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

func create(w, stderr io.Writer, path string, spec keySpec, now time.Time) error {
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
	fmt.Fprintf(w, "created key %s (%s) for org %s (%s), scopes %s", key.ID, key.Name, key.OrgName, key.OrgID, apikey.JoinScopes(key.Scopes))
	if key.ExpiresAt != nil {
		fmt.Fprintf(w, ", expires %s", key.ExpiresAt.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "\nthe key is shown once; store it now:\n%s\n", secret)
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

func list(w io.Writer, path string, now time.Time) error {
	f, err := apikey.Load(path)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tORG\tORG ID\tNAME\tSCOPES\tPREFIX\tCREATED\tEXPIRES\tSTATUS")
	for _, k := range f.Keys {
		exp, status := "never", "active"
		if k.ExpiresAt != nil {
			exp = k.ExpiresAt.Format(time.RFC3339)
			if !now.Before(*k.ExpiresAt) {
				status = "expired"
			}
		}
		if k.RevokedAt != nil {
			status = "revoked"
		}
		scopes := strings.ReplaceAll(apikey.JoinScopes(k.Scopes), " ", "")
		if k.Unscoped() {
			scopes = "all (unscoped)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.OrgName, k.OrgID, k.Name, scopes, k.Prefix, k.CreatedAt.Format(time.RFC3339), exp, status)
	}
	return tw.Flush()
}
