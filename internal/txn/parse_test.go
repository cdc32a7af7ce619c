package txn

import (
	"io"
	"strings"
	"testing"
)

func TestReadMessage(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		headers  []Header
		body     string
		wantSize int64
	}{
		{
			name:    "LF to CRLF, folding kept",
			in:      "From: a@example.com\nSubject: one\n two\n\nline1\nline2\n",
			headers: []Header{{Name: "From", Value: " a@example.com"}, {Name: "Subject", Value: " one\r\n two"}},
			body:    "line1\r\nline2\r\n",
		},
		{
			name:    "CRLF input unchanged, no final newline",
			in:      "X:y\r\n\r\nbody",
			headers: []Header{{Name: "X", Value: "y"}},
			body:    "body",
		},
		{
			name:    "non-header line starts the body",
			in:      "A: 1\nthis is not a header\nmore\n",
			headers: []Header{{Name: "A", Value: " 1"}},
			body:    "this is not a header\r\nmore\r\n",
		},
		{
			name:    "8-bit header bytes kept",
			in:      "Subject: Khuy\xe1\xba\xbfn m\xc3\xa3i\n\n",
			headers: []Header{{Name: "Subject", Value: " Khuy\xe1\xba\xbfn m\xc3\xa3i"}},
			body:    "",
		},
		{name: "empty input", in: "", headers: nil, body: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs, sp, err := ReadMessage(strings.NewReader(tc.in), 0, "")
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			if len(hs) != len(tc.headers) {
				t.Fatalf("headers = %q, want %q", hs, tc.headers)
			}
			for i := range hs {
				if hs[i] != tc.headers[i] {
					t.Errorf("header %d = %q, want %q", i, hs[i], tc.headers[i])
				}
			}
			b, _ := io.ReadAll(sp.Reader())
			if string(b) != tc.body {
				t.Errorf("body = %q, want %q", b, tc.body)
			}
		})
	}
}

func TestSpoolGoesToDiskAndBack(t *testing.T) {
	sp := NewSpool(10, t.TempDir())
	for i := 0; i < 5; i++ {
		if _, err := sp.Write([]byte("0123456")); err != nil {
			t.Fatal(err)
		}
	}
	if !sp.OnDisk() || sp.Size() != 35 {
		t.Fatalf("on disk %v size %d, want true 35", sp.OnDisk(), sp.Size())
	}
	b, _ := io.ReadAll(sp.Reader())
	if string(b) != strings.Repeat("0123456", 5) {
		t.Errorf("read back %q", b)
	}
	if err := sp.Close(); err != nil {
		t.Error(err)
	}
}

func TestMessageReaderRebuildsBytes(t *testing.T) {
	in := "From: a@example.com\r\nSubject: x\r\n y\r\n\r\nhello\r\n"
	hs, sp, err := ReadMessage(strings.NewReader(in), 0, "")
	if err != nil {
		t.Fatal(err)
	}
	tr := &Transaction{Headers: hs, Body: sp}
	b, _ := io.ReadAll(tr.MessageReader())
	if string(b) != in {
		t.Errorf("rebuilt %q, want %q", b, in)
	}
	if tr.Size() != int64(len(in)) {
		t.Errorf("Size = %d, want %d", tr.Size(), len(in))
	}
}
