package report

import (
	"fmt"
	"io"
	"strings"
)

// Format is an output format of a Report.
type Format string

// Formats Write knows.
const (
	CSV  Format = "csv"
	JSON Format = "json"
	HTML Format = "html"
)

// ParseFormat maps "csv", "json" or "html" (any case, surrounding spaces
// ignored) to a Format; any other string is an error naming the choices.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case CSV, JSON, HTML:
		return f, nil
	}
	return "", fmt.Errorf("report: unknown format %q (want csv, json or html)", s)
}

// Write writes r to w in format f (WriteCSV, WriteJSON or WriteHTML). An
// unknown f is an error and nothing is written; a write error of w is
// returned as is.
func Write(w io.Writer, r Report, f Format) error {
	switch f {
	case CSV:
		return WriteCSV(w, r)
	case JSON:
		return WriteJSON(w, r)
	case HTML:
		return WriteHTML(w, r)
	}
	_, err := ParseFormat(string(f))
	return err
}
