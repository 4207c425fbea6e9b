// Package queries holds the UI's SQL as embedded templates. Only the
// database name (validated) and a whitelisted sort are rendered into the
// text; every value is a bound parameter.
package queries

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
)

//go:embed *.sql
var files embed.FS

var templates = template.Must(template.New("sql").Funcs(template.FuncMap{
	"ident": func(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" },
}).ParseFS(files, "*.sql"))

// Data is what the templates are rendered from.
type Data struct {
	Database string
	Sort     string // a column from Sorts
	Order    string // ASC or DESC
}

// Sorts maps the API's sort names to columns.
var Sorts = map[string]string{"started_at": "StartedAt", "duration": "DurationMs", "status": "Status", "workflow": "WorkflowName"}

// Render renders the named query.
func Render(name string, d Data) (string, error) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, d); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}
