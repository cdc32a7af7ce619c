package arc

import (
	"context"
	"strings"
	"testing"

	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
)

// passingCase returns the suite's cv_pass_i2_1 message and its records.
func passingCase(t testing.TB, name string) ([]mailmsg.Field, string, *resolver.Fake) {
	t.Helper()
	for _, c := range loadSuite(t) {
		if c.name != name {
			continue
		}
		fake := &resolver.Fake{TXT: map[string][]string{}, Errors: map[string]error{}}
		for n, rec := range c.txt {
			fake.TXT[n] = []string{rec}
		}
		msg := strings.ReplaceAll(strings.ReplaceAll(c.message, "\r\n", "\n"), "\n", "\r\n")
		head, body, _ := strings.Cut(msg, "\r\n\r\n")
		fields, _, err := mailmsg.ReadHeader(bufioReader(head + "\r\n\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		return fields, body, fake
	}
	t.Fatalf("no case %s", name)
	return nil, "", nil
}

func TestPassReportsSealersAndOldestPass(t *testing.T) {
	fields, body, dns := passingCase(t, "cv_pass_i2_1")
	res, err := Verify(context.Background(), dns, fields, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != ResultPass || res.Instances != 2 || strings.Join(res.Sealers, ",") != "example.org,example.org" || res.OldestPass != 1 || !strings.HasPrefix(res.AAR, "i=2;") {
		t.Fatalf("%+v", res)
	}
}

// TestKeyTimeoutIsTemperror: a DNS timeout on the sealer's key leaves
// the chain unjudged, never fail.
func TestKeyTimeoutIsTemperror(t *testing.T) {
	fields, body, dns := passingCase(t, "cv_pass_i1_1")
	dns.Errors["dummy._domainkey.example.org"] = resolver.Temporary("dummy._domainkey.example.org", "i/o timeout", true)
	res, err := Verify(context.Background(), dns, fields, strings.NewReader(body))
	if err != nil || res.Result != ResultTemperror {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestNoARCIsNone(t *testing.T) {
	res, err := Verify(context.Background(), &resolver.Fake{}, []mailmsg.Field{{Name: "From", Value: " a@example.org"}}, strings.NewReader(""))
	if err != nil || res.Result != ResultNone {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestBodyReadStopsAtContextEnd(t *testing.T) {
	fields, body, dns := passingCase(t, "cv_pass_i1_1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, dns, fields, strings.NewReader(body)); err == nil {
		t.Fatal("no error after the context ended")
	}
}

func TestStripB(t *testing.T) {
	got := stripB("ARC-Seal: a=rsa-sha256; b=abc\r\n def; bh=x; cv=none\r\n")
	if want := "ARC-Seal: a=rsa-sha256; b=; bh=x; cv=none\r\n"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if got := stripB("X: i=1; b=zz\r\n"); got != "X: i=1; b=\r\n" {
		t.Fatalf("%q", got)
	}
}
