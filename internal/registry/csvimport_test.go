package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const consentHead = "advertiser,recipient,method,time,evidence\n"

// consentLines returns n valid consent lines for distinct recipients.
func consentLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "example.com,u%d@example.net,form,2026-01-01T00:00:00Z,e%d\n", i, i)
	}
	return b.String()
}

// failImport imports in as consents and returns the *ImportError it must
// fail with.
func failImport(t *testing.T, s *Store, in string) *ImportError {
	t.Helper()
	n, err := importString(s, in)
	var ie *ImportError
	if !errors.As(err, &ie) || n != 0 || !errors.Is(err, ErrInvalid) {
		t.Fatalf("import: %d, %v; want 0 and an *ImportError matching ErrInvalid", n, err)
	}
	return ie
}

// A file that is all wrong reports its first MaxProblems problems and says
// that it stopped before the end; one with exactly MaxProblems problems
// and nothing after them does not.
func TestImportStopsAtMaxProblems(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		bad := func(n int) string {
			return consentHead + strings.Repeat("example.com,nobody,form,2026-01-01T00:00:00Z,\n", n)
		}
		ie := failImport(t, s, bad(MaxProblems+50))
		if len(ie.Problems) != MaxProblems || !ie.Truncated || ie.Problems[MaxProblems-1].Line != MaxProblems+1 {
			t.Errorf("%d problems, truncated %v, last on line %d; want %d, true, line %d",
				len(ie.Problems), ie.Truncated, ie.Problems[len(ie.Problems)-1].Line, MaxProblems, MaxProblems+1)
		}
		if !strings.HasSuffix(ie.Error(), "\n"+TruncatedNote) {
			t.Errorf("error does not end with the note: %q", ie.Error()[len(ie.Error())-80:])
		}
		ie = failImport(t, s, bad(MaxProblems))
		if len(ie.Problems) != MaxProblems || ie.Truncated {
			t.Errorf("exactly %d problems: %d, truncated %v; want all, not truncated", MaxProblems, len(ie.Problems), ie.Truncated)
		}
		ie = failImport(t, s, bad(MaxProblems)+consentLines(1))
		if len(ie.Problems) != MaxProblems || !ie.Truncated {
			t.Errorf("%d problems and a line not checked: %d, truncated %v; want truncated", MaxProblems, len(ie.Problems), ie.Truncated)
		}
		if cs, err := s.ListConsents(context.Background(), Filter{}); err != nil || len(cs) != 0 {
			t.Errorf("after failed imports the registry holds %d consents (%v)", len(cs), err)
		}
	})
}

// importString imports in as consents at importNow.
func importString(s *Store, in string) (int, error) {
	return s.ImportConsents(context.Background(), strings.NewReader(in), importNow)
}

// A record over MaxRecordBytes is a problem; one far over it stops the
// import there, without reading it into memory whole.
func TestImportRecordLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		long := "example.com,a@example.net,form,2026-01-01T00:00:00Z,\"" + strings.Repeat("x", MaxRecordBytes) + "\"\n"
		ie := failImport(t, s, consentHead+consentLines(1)+long+"example.com,b@example.net,form,2026-01-01T00:00:00Z,\n")
		want := fmt.Sprintf("line 3: record of %d bytes, over %d", len(long), MaxRecordBytes)
		if got := ie.Error(); got != want {
			t.Errorf("problems %q, want %q", got, want)
		}
		huge := "example.com,a@example.net,form,2026-01-01T00:00:00Z,\"" + strings.Repeat("x\n", 8<<20) + "\"\n"
		ie = failImport(t, s, consentHead+consentLines(2)+huge+"bad line\n")
		if want := fmt.Sprintf("line 4: record over %d bytes", MaxRecordBytes); len(ie.Problems) != 1 || ie.Problems[0].String() != want || !ie.Truncated {
			t.Errorf("problems %q (truncated %v), want %q and truncated", ie.Error(), ie.Truncated, want)
		}
		ie = failImport(t, s, strings.Repeat("advertiser,", MaxRecordBytes))
		if want := fmt.Sprintf("line 1: header over %d bytes", MaxRecordBytes); ie.Error() != want {
			t.Errorf("huge header: %q, want %q", ie.Error(), want)
		}
	})
}

// Values PostgreSQL cannot store in text are problems of their line on
// both backends, not a store error.
func TestImportInvalidText(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		in := consentHead + "example.com,a@example.net,form,2026-01-01T00:00:00Z,NUL\x00here\n" +
			"example.com,b\xff@example.net,form,2026-01-01T00:00:00Z,\n"
		ie := failImport(t, s, in)
		want := "line 2: evidence: NUL byte at byte 4\nline 3: recipient: not UTF-8 at byte 2"
		if got := ie.Error(); got != want {
			t.Errorf("problems\n%s\nwant\n%s", got, want)
		}
	})
}

// A regular file is read in place, anything else through a temporary
// copy; both give the same import, and the copy is removed.
func TestImportSources(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		in := consentHead + consentLines(50)
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		s1, s2 := b.openStore(t), b.openStore(t)
		if n, err := s1.ImportConsents(context.Background(), f, importNow); err != nil || n != 50 {
			t.Fatalf("import from a file: %d, %v", n, err)
		}
		if n, err := importString(s2, in); err != nil || n != 50 {
			t.Fatalf("import from a reader: %d, %v", n, err)
		}
		if a, b := exportConsents(t, s1), exportConsents(t, s2); a != b {
			t.Errorf("the two imports differ:\n%s\n%s", a, b)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("temporary files left: %v", left)
		}
	})
}

// An import after a failed one and after a successful one works: the
// transaction's table of keys is gone with it either way.
func TestImportAfterImport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		failImport(t, s, consentHead+consentLines(2)+"example.com,u0@example.net,form,2026-01-01T00:00:00Z,\n")
		for i := range 2 {
			if n, err := importString(s, consentHead+consentLines(3)); err != nil || n != 3 {
				t.Fatalf("import %d: %d, %v; want 3", i+1, n, err)
			}
		}
	})
}
