package registry

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// FuzzImportConsents imports arbitrary bytes as a consent file into one
// SQLite store: every input is imported or refused with an *ImportError
// of 1..MaxProblems problems in line order, never a store error (which
// would be a 500 for bad input) or a panic.
func FuzzImportConsents(f *testing.F) {
	f.Add([]byte(consentHead + consentLines(2)))
	f.Add([]byte("\ufeffTime,Recipient,advertiser,method\r\n2026-03-01T16:00:00+07:00,<Ann@Example.NET>,Example.com,FORM\r\n"))
	f.Add([]byte(consentHead + "example.com,a@example.net,form,2026-01-01T00:00:00Z,\"two\nlines\"\nexample.com,a@example.net,form\n"))
	f.Add([]byte("advertiser,recipient,method,time,max_per_day,revoked_at,last_used_at\n" +
		"example.com,a@example.net,call_sms,2026-01-01T00:00:00Z,5,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z\n"))
	s, err := Open(context.Background(), filepath.Join(f.TempDir(), "registry.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, in []byte) {
		n, err := importString(s, string(in))
		var ie *ImportError
		switch {
		case err == nil:
			if n < 0 {
				t.Fatalf("imported %d", n)
			}
		case !errors.As(err, &ie):
			t.Fatalf("not an *ImportError: %v", err)
		case len(ie.Problems) == 0 || len(ie.Problems) > MaxProblems || n != 0:
			t.Fatalf("%d problems, %d imported", len(ie.Problems), n)
		default:
			for i, p := range ie.Problems {
				if p.Line < 1 || (i > 0 && p.Line < ie.Problems[i-1].Line) {
					t.Fatalf("problem %d on line %d after line %d", i, p.Line, ie.Problems[max(i-1, 0)].Line)
				}
			}
		}
	})
}
