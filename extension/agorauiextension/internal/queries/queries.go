// Package queries holds the UI's SQL as embedded templates. Only the
// database name (validated) and a whitelisted sort are rendered into the
// text; every value is a bound parameter.
package queries

import (
	"embed"

	"github.com/agora-otelcol/agora-otelcol/internal/sqltmpl"
)

//go:embed *.sql
var files embed.FS

var templates = sqltmpl.Must(files)

// Data is what the templates are rendered from.
type Data struct {
	Database string
	Sort     string // a column from Sorts
	Order    string // ASC or DESC
	Node     bool   // filter on a node's failures and retries
	Search   bool   // filter on words in errors, inputs and outputs
	IDs      bool   // filter on execution ids the search resolved
	Group    string // a column from Groups
}

// Groups maps the sessions API's groupings to columns.
var Groups = map[string]string{"session": "SessionId", "user": "UserId"}

// Sorts maps the API's sort names to columns.
var Sorts = map[string]string{"started_at": "StartedAt", "duration": "DurationMs", "status": "Status", "workflow": "WorkflowName"}

// Render renders the named query.
func Render(name string, d Data) (string, error) { return templates.Render(name, d) }
