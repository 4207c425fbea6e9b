// Package httpjson writes the JSON answers of this project's HTTP APIs:
// every body is JSON, every error is {"detail": "..."}.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Write answers v as JSON with the status. v is encoded before anything is
// written: when it cannot be (a NaN, say), nothing is, and the error says
// why, so the caller can still answer an error.
func Write(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// Detail answers an error as {"detail": detail}.
func Detail(w http.ResponseWriter, status int, detail string) {
	_ = Write(w, status, map[string]string{"detail": detail})
}
