package loadgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testStart is the Date of the first message of test corpora.
var testStart = time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)

// sharedCorpus is one corpus generated per test process: 200 signed
// messages take long enough under the race detector to matter.
var (
	sharedOnce sync.Once
	sharedDir  string
	sharedMan  *Manifest
	sharedErr  error
)

// corpusSize is the number of messages of the shared corpus.
const corpusSize = 200

// testCorpus returns the directory and manifest of the shared corpus
// (seed 7). Tests must not change it.
func testCorpus(t testing.TB) (string, *Manifest) {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "loadgen-corpus-")
		if sharedErr == nil {
			sharedMan, sharedErr = Generate(CorpusOptions{Dir: sharedDir, Messages: corpusSize, Seed: 7, Start: testStart})
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedDir, sharedMan
}

// TestMain removes the shared corpus after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDir != "" {
		_ = os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// readFile returns a corpus file.
func readFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// maskDKIM returns msg with the values of the t= and b= tags of its
// DKIM-Signature field replaced by "*": go-msgauth stamps them with the
// signing time, every other byte is reproducible.
func maskDKIM(t testing.TB, msg []byte) []byte {
	t.Helper()
	head, body, ok := bytes.Cut(msg, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no end of header")
	}
	lines := strings.SplitAfter(string(head), "\r\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "DKIM-Signature:") {
			out.WriteString(lines[i])
			continue
		}
		f := lines[i]
		for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
			i++
			f += lines[i]
		}
		out.WriteString(maskTag(t, maskTag(t, f, "t"), "b"))
	}
	return append([]byte(out.String()+"\r\n\r\n"), body...)
}

// maskTag replaces the value of tag in the raw field f (tag list of
// RFC 6376 §3.2: a value ends at ";" or the end of the field).
func maskTag(t testing.TB, f, tag string) string {
	t.Helper()
	for i := 0; i+len(tag)+1 <= len(f); i++ {
		start := i == 0 || strings.ContainsRune(" \t\n;:", rune(f[i-1]))
		if !start || f[i:i+len(tag)+1] != tag+"=" {
			continue
		}
		v := i + len(tag) + 1
		end := strings.IndexByte(f[v:], ';')
		if end < 0 {
			end = len(strings.TrimRight(f[v:], "\r\n"))
		}
		return f[:v] + "*" + f[v+end:]
	}
	t.Fatalf("no %s= tag in %q", tag, f)
	return ""
}
