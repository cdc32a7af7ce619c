package arc

import (
	"bufio"
	"context"
	"strings"
	"testing"
	"time"

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

// FuzzSeal: any header block, sealed with the chain result Verify gives
// it, yields a set of three fields whose instance follows the newest
// present and is at most MaxInstances, or an error; never a panic. A
// set made on a block without ARC fields validates as pass.
func FuzzSeal(f *testing.F) {
	f.Add("From: a@example.org\r\nSubject: hi\r\n\r\n")
	f.Add("ARC-Seal: i=1; a=rsa-sha256; cv=fail; d=example.org; s=s; b=AA==\r\nFrom: a@example.org\r\n\r\n")
	f.Add("ARC-Authentication-Results: i=50; x\r\nFrom: a@example.org\r\n\r\n")
	dns := &resolver.Fake{}
	s := sealer(f, dns, true)
	f.Fuzz(func(t *testing.T, msg string) {
		fields, _, err := mailmsg.ReadHeader(bufioReader(msg))
		if err != nil {
			return
		}
		chain, _ := Verify(context.Background(), dns, fields, strings.NewReader("body\r\n"))
		set, err := s.Seal(context.Background(), fields, strings.NewReader("body\r\n"), chain.Result, "mx.example.net; arc="+chain.Result, time.Now())
		if err != nil {
			return
		}
		last, _ := newest(fields)
		got, err := instance(parseTagsOr(t, set[0].Value)["i"])
		if len(set) != 3 || err != nil || got != last+1 || got > MaxInstances {
			t.Fatalf("set %+v after instance %d", set, last)
		}
		if last == 0 && chain.Result == ResultNone {
			res, err := Verify(context.Background(), dns, append(set, fields...), strings.NewReader("body\r\n"))
			if err != nil || res.Result != ResultPass {
				t.Fatalf("%+v %v", res, err)
			}
		}
	})
}

func parseTagsOr(t *testing.T, v string) tags {
	tg, err := parseTags(v)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}
