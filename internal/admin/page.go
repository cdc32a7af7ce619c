package admin

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"milter91/internal/registry"
)

// Registry listing limits: the records one page carries by default and at
// most (our choice: a record is at most a few KiB, its evidence 2 KiB, so
// a page stays within a few MiB).
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// maxCursor bounds a cursor parameter in bytes: the key it carries is an
// advertiser, an address and a scope.
const maxCursor = 2048

// Cursor kinds: a cursor of one listing is refused by the other.
const (
	cursorConsents = "c"
	cursorRefusals = "r"
)

// page is one answer of a registry listing: Next is the cursor of the
// following page, null on the last.
type page[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// newPage makes the answer from up to limit+1 records read: the extra one
// only says that another page follows.
func newPage[R interface{ Key() registry.Key }, T any](recs []R, limit int, kind string, out func(R) T) page[T] {
	p := page[T]{Items: make([]T, 0, min(len(recs), limit))}
	for i, r := range recs {
		if i == limit {
			next := encodeCursor(kind, recs[limit-1].Key())
			p.Next = &next
			break
		}
		p.Items = append(p.Items, out(r))
	}
	return p
}

// encodeCursor returns the opaque cursor of the records after k: the
// base64url (RFC 4648 §5) of a JSON array of kind and k's fields.
func encodeCursor(kind string, k registry.Key) string {
	fields := []string{k.Advertiser, k.Recipient}
	if kind == cursorRefusals {
		fields = append(fields, k.Scope)
	}
	return encodeFields(kind, fields...)
}

// encodeFields is the cursor of kind after the key fields.
func encodeFields(kind string, fields ...string) string {
	b, _ := json.Marshal(append([]string{kind}, fields...)) // strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// errCursor is every refused cursor: one that this API did not give for
// this listing.
var errCursor = errors.New("parameter cursor: not one this listing gave (use the next value of the previous page)")

// DecodeCursor returns the key a cursor of listing kind ("c" consents, "r"
// refusals) continues after. Errors: anything encodeCursor did not make for
// that kind, at most maxCursor bytes, with non-empty UTF-8 fields without
// NUL (what a stored key is).
func DecodeCursor(kind, s string) (registry.Key, error) {
	want := 2
	if kind == cursorRefusals {
		want = 3
	}
	fields, err := decodeFields(kind, s, want)
	if err != nil {
		return registry.Key{}, err
	}
	k := registry.Key{Advertiser: fields[0], Recipient: fields[1]}
	if kind == cursorRefusals {
		k.Scope = fields[2]
	}
	return k, nil
}

// decodeFields returns the n key fields of a cursor of kind that
// encodeFields made; anything else is errCursor.
func decodeFields(kind, s string, n int) ([]string, error) {
	if len(s) > maxCursor {
		return nil, errCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var fields []string
	if err != nil || json.Unmarshal(b, &fields) != nil || len(fields) != n+1 || fields[0] != kind {
		return nil, errCursor
	}
	for _, f := range fields[1:] {
		if f == "" || !utf8.ValidString(f) || strings.IndexByte(f, 0) >= 0 {
			return nil, errCursor
		}
	}
	return fields[1:], nil
}

// parseLimit reads the limit parameter: 1..max, default def.
func parseLimit(args map[string]string, def, max int) (int, error) {
	v := args["limit"]
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, fmt.Errorf("limit %q: want 1..%d", v, max)
	}
	return n, nil
}

// listFilter reads the parameters of a registry listing of kind: the
// advertiser and recipient filters, limit and cursor. The filter's Limit
// is one over the page's, so that a full page knows whether another
// follows. On bad input it answers 400 and returns false.
func listFilter(w http.ResponseWriter, r *http.Request, kind string) (f registry.Filter, limit int, ok bool) {
	args, err := queryArgs(r, "advertiser", "recipient", "limit", "cursor")
	if err == nil {
		f, err = filterArgs(args)
	}
	if err == nil {
		limit, err = parseLimit(args, DefaultListLimit, MaxListLimit)
	}
	if err == nil && args["cursor"] != "" {
		f.After, err = DecodeCursor(kind, args["cursor"])
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return f, 0, false
	}
	f.Limit = limit + 1
	return f, limit, true
}
