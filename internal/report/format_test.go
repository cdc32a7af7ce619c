package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{in: "csv", want: CSV},
		{in: "json", want: JSON},
		{in: "html", want: HTML},
		{in: " HTML ", want: HTML},
		{in: "Json", want: JSON},
		{in: "xml", wantErr: true},
		{in: "", wantErr: true},
		{in: "csv,json", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseFormat(tc.in)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "want csv, json or html") ||
				!strings.Contains(err.Error(), `"`+tc.in+`"`) {
				t.Errorf("ParseFormat(%q) error = %v, want one naming the input and the choices", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestWrite(t *testing.T) {
	r := sample()
	tests := []struct {
		format     Format
		wantPrefix string
	}{
		{format: CSV, wantPrefix: "section,day,direction,key,name,count\n"},
		{format: JSON, wantPrefix: "{\n"},
		{format: HTML, wantPrefix: "<!DOCTYPE html>"},
	}
	for _, tc := range tests {
		t.Run(string(tc.format), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, r, tc.format); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(buf.String(), tc.wantPrefix) {
				t.Errorf("output starts %.40q, want %q", buf.String(), tc.wantPrefix)
			}
			if err := Write(failWriter{}, r, tc.format); !errors.Is(err, errWrite) {
				t.Errorf("on a failing writer: %v, want %v", err, errWrite)
			}
		})
	}
	var buf bytes.Buffer
	if err := Write(&buf, r, Format("xml")); err == nil || buf.Len() != 0 {
		t.Errorf("unknown format: err %v, %d bytes written", err, buf.Len())
	}
}
