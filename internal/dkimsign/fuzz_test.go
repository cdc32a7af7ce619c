package dkimsign

import (
	"strings"
	"testing"

	"milter91/internal/fileerr"
)

// FuzzParseSpecs: any config text gives specs or positioned errors inside
// the file, never a panic (an Internal error would be a recovered one).
func FuzzParseSpecs(f *testing.F) {
	f.Add([]byte("dkim:\n  sign:\n    - {domain: example.test, selector: s1, key: k}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := ParseSpecs("f.yml", data)
		if err == nil {
			if p := CheckSpecs(specs); len(p) > 0 {
				t.Fatalf("accepted specs with problems: %v", p)
			}
			return
		}
		list, ok := err.(fileerr.List)
		if !ok {
			t.Fatalf("error %T %v", err, err)
		}
		for _, e := range list {
			if e.Internal {
				t.Fatalf("panic: %v", e)
			}
			if e.Line > strings.Count(string(data), "\n")+2 {
				t.Fatalf("error past the end: %v", e)
			}
		}
	})
}

// FuzzParseKey: any bytes give a key or an error, never a panic.
func FuzzParseKey(f *testing.F) {
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, alg, err := ParseKey(data)
		if err == nil && (s == nil || (alg != AlgRSA && alg != AlgEd25519)) {
			t.Fatalf("no error, key %v alg %q", s, alg)
		}
	})
}
