package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// Request body limits (our choice: one JSON record is a few hundred
// bytes; 64 MiB of CSV is about a million registry lines). An import
// streams through a temporary file, so memory does not grow with the
// body; the limit bounds that file and the time one import holds the
// registry's writer.
const (
	maxJSONBody = 1 << 20
	maxCSVBody  = 64 << 20
)

// errorBody is every error answer: {"error": "reason"}.
type errorBody struct {
	Error string `json:"error"`
}

// writeJSON answers status with v as JSON. A write error means the
// client is gone; there is no one left to tell.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers status with {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// storeError logs err and answers 500 with its text: the operator sees
// the store's reason, nothing more.
func (a *api) storeError(w http.ResponseWriter, r *http.Request, op string, err error) {
	a.log.Error("admin: "+op+" failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, op+": "+err.Error())
}

// tooLarge reports whether err comes from a body over its limit and, if
// so, answers 413.
func tooLarge(w http.ResponseWriter, err error) bool {
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		return false
	}
	writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over the limit of %d bytes", mbe.Limit))
	return true
}

// limitBody checks r's media type and declared length and caps its body
// at limit bytes. On failure it has answered 415 or 413.
func limitBody(w http.ResponseWriter, r *http.Request, mediaType string, limit int64) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != mediaType {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: want %s", r.Header.Get("Content-Type"), mediaType))
		return false
	}
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body of %d bytes over the limit of %d", r.ContentLength, limit))
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return true
}

// decodeJSON reads exactly one JSON object from r's body into dst,
// refusing unknown fields. On failure it has answered 400, 413 or 415.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if !limitBody(w, r, "application/json", maxJSONBody) {
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		var extra json.RawMessage
		if dec.Decode(&extra) != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err == nil {
		return true
	}
	if !tooLarge(w, err) {
		writeError(w, http.StatusBadRequest, "body: "+jsonReason(err))
	}
	return false
}

// jsonReason words a decoding error without Go type names.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "empty, want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %q: got JSON %s, want %s", typ.Field, typ.Value, typ.Type.Kind())
	case errors.As(err, &typ):
		return fmt.Sprintf("got JSON %s, want an object", typ.Value)
	}
	return err.Error()
}
