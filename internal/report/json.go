package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes r as one JSON object indented by two spaces, with the
// snake_case field names of Report's tags; times are RFC 3339 in UTC. A
// write error of w is returned as is.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
