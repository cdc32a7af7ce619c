package decree

import (
	"context"
	"slices"
	"testing"
)

// TestBodyParts checks the shape ReadBody records for a nested message:
// every entity in tree order with its depth, disposition, file name and
// encoding, and the text heads Texts returns.
func TestBodyParts(t *testing.T) {
	tr := msg(t, []string{"Content-Type: multipart/mixed; boundary=\"o\""}, "--o\r\n"+
		"Content-Type: multipart/alternative; boundary=\"i\"\r\n\r\n"+
		"--i\r\nContent-Type: text/plain\r\n\r\nplain words\r\n"+
		"--i\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\n<p>rich =C4=91=E1=BB=93</p>\r\n"+
		"--i--\r\n"+
		"--o\r\nContent-Type: application/octet-stream; name=\"a.pdf.exe\"\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\nTVo=\r\n"+
		"--o\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nnot read as text\r\n"+
		"--o--\r\n")
	b := readBody(context.Background(), tr, 0, 1000)
	want := []Part{
		{Type: "multipart/mixed"},
		{Type: "multipart/alternative", Depth: 1},
		{Type: "text/plain", Depth: 2},
		{Type: "text/html", Depth: 2, Encoding: "quoted-printable"},
		{Type: "application/octet-stream", Depth: 1, Attachment: true, Filename: "a.pdf.exe", Encoding: "base64"},
		{Type: "text/plain", Depth: 1, Attachment: true, Filename: "notes.txt"},
	}
	if got := b.Parts(); !slices.Equal(got, want) {
		t.Errorf("Parts\n got %+v\nwant %+v", got, want)
	}
	wantText := []Text{{Text: "plain words"}, {HTML: true, Text: "rich đồ"}}
	if got := b.Texts(); !slices.Equal(got, wantText) {
		t.Errorf("Texts %+v, want %+v", got, wantText)
	}
}

// TestBodyPartsBounded checks that a part name longer than a file name can
// be is cut, and that a message without MIME headers is one text/plain
// part.
func TestBodyPartsBounded(t *testing.T) {
	long := make([]byte, 1000)
	for i := range long {
		long[i] = 'x'
	}
	tr := msg(t, []string{"Content-Type: application/zip; name=" + string(long)}, "PK")
	if p := readBody(context.Background(), tr, 0, 10).Parts(); len(p) != 1 || len(p[0].Filename) != maxFilename {
		t.Errorf("Parts %d, filename %d bytes, want 1 part, %d bytes", len(p), len(p[0].Filename), maxFilename)
	}
	tr = msg(t, nil, "hello")
	if p := readBody(context.Background(), tr, 0, 10).Parts(); !slices.Equal(p, []Part{{Type: "text/plain"}}) {
		t.Errorf("Parts %+v", p)
	}
}
