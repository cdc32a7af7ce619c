package arc

import (
	"bufio"
	"context"
	"strings"
	"testing"

	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
)

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

// FuzzSets: any header block gives ARC sets or an error, never a panic;
// sets are complete and numbered 1..n; Verify then ends without error
// (no key is served: fail or none).
func FuzzSets(f *testing.F) {
	f.Add("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=s; b=AA==\r\n" +
		"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s; h=from; bh=AA==; b=AA==\r\n" +
		"ARC-Authentication-Results: i=1; mx.example.org; spf=pass\r\nFrom: a@example.org\r\n\r\nbody\r\n")
	f.Fuzz(func(t *testing.T, msg string) {
		fields, _, err := mailmsg.ReadHeader(bufioReader(msg))
		if err != nil {
			return
		}
		sets, err := Sets(fields)
		if err == nil {
			for i, s := range sets {
				if s.Instance != i+1 || s.AAR == nil || s.AMS == nil || s.Seal == nil || i >= MaxInstances {
					t.Fatalf("set %d: %+v", i, s)
				}
			}
		}
		res, err := Verify(context.Background(), &resolver.Fake{}, fields, strings.NewReader("body\r\n"))
		if err != nil || res.Result == ResultPass {
			t.Fatalf("%+v %v", res, err)
		}
	})
}
