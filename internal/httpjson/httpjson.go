// Package httpjson writes the JSON answers of this project's HTTP APIs:
// every body is JSON, every error is {"detail": "..."}.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Write answers v as JSON with the status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Detail answers an error as {"detail": detail}.
func Detail(w http.ResponseWriter, status int, detail string) {
	Write(w, status, map[string]string{"detail": detail})
}
