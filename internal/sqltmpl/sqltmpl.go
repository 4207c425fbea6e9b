// Package sqltmpl loads a component's embedded SQL templates. Identifiers
// reach the text only through ident (backtick-quoted); values are always
// bound parameters.
package sqltmpl

import (
	"fmt"
	"io/fs"
	"strings"
	"text/template"
)

// Set is a parsed set of .sql templates.
type Set struct{ t *template.Template }

// Must parses every *.sql file of fsys, or panics (they are embedded: a
// broken one is a build-time bug that tests catch).
func Must(fsys fs.FS) Set {
	return Set{template.Must(template.New("sql").Funcs(template.FuncMap{
		"ident": func(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" },
	}).ParseFS(fsys, "*.sql"))}
}

// Render renders the named template (its file name) with data.
func (s Set) Render(name string, data any) (string, error) {
	var b strings.Builder
	if err := s.t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}
