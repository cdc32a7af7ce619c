package dnsbl

import (
	"errors"
	"strings"
	"testing"

	"milter91/internal/fileerr"
)

// bugReader stands for a faulty layer under the parser: it panics on
// read.
type bugReader struct{}

func (bugReader) Read([]byte) (int, error) { panic("index out of range [3] with length 3") }

// A panic while a list is parsed refuses that file (so a reload keeps the
// previous list) instead of ending the daemon from the watcher goroutine.
func TestParseListRecoversPanic(t *testing.T) {
	l, err := parseList(bugReader{}, "/etc/milter91/national.txt")
	var list fileerr.List
	if l != nil || !errors.As(err, &list) || len(list) != 1 || !list[0].Internal {
		t.Fatalf("parseList = %v, %#v; want one Internal error", l, err)
	}
	if got := err.Error(); !strings.HasPrefix(got, "/etc/milter91/national.txt:1:1: list parser failed: index out of range [3] with length 3 (at dnsbl.bugReader.Read") {
		t.Errorf("error %q", got)
	}
}
