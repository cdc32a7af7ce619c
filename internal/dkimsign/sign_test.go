package dkimsign

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"milter91/internal/dkimtest"
	"milter91/internal/mailmsg"
)

// rfc8463Seed is the Ed25519 private key (seed) of RFC 8463 Appendix A.2.
const rfc8463Seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="

func rfc8463Key(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	seed, err := base64.StdEncoding.DecodeString(rfc8463Seed)
	if err != nil {
		t.Fatal(err)
	}
	return ed25519.NewKeyFromSeed(seed)
}

// exampleMessage is RFC 8463's example without its signatures (CRLF).
func exampleMessage(t testing.TB) ([]mailmsg.Field, string) {
	t.Helper()
	data, err := os.ReadFile("testdata/rfc8463/signed.eml")
	if err != nil {
		t.Fatal(err)
	}
	msg := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n", "\r\n")
	fields, body := split(t, msg)
	var kept []mailmsg.Field
	for _, f := range fields {
		if !strings.EqualFold(f.Name, "DKIM-Signature") {
			kept = append(kept, f)
		}
	}
	return kept, body
}

// loadExampleKeys loads an Ed25519 key (RFC 8463's, selector brisbane)
// and an RSA-2048 key (selector rsa2048) for football.example.com, and
// returns the key set and the key records.
func loadExampleKeys(t testing.TB) (*KeySet, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	rsaKey := dkimtest.RSAKey(t)
	specs := []KeySpec{
		{Domain: "football.example.com", Selector: "brisbane", Key: writeKey(t, dir, "ed.key", rfc8463Key(t))},
		{Domain: "Football.Example.COM", Selector: "rsa2048", Key: writeKey(t, dir, "rsa.key", rsaKey)},
	}
	ks, err := Load(specs, dir)
	if err != nil {
		t.Fatal(err)
	}
	dns := rfc8463DNS(t)
	dns["rsa2048._domainkey.football.example.com"] = dkimtest.RSARecord(t, rsaKey)
	return ks, dns
}

// TestRFC8463KeyMatchesRecord: the seed written here is RFC 8463's, whose
// public key the example publishes as brisbane._domainkey.
func TestRFC8463KeyMatchesRecord(t *testing.T) {
	rec, err := KeyRecord(rfc8463Key(t).Public())
	if err != nil {
		t.Fatal(err)
	}
	if want := rfc8463DNS(t)["brisbane._domainkey.football.example.com"]; rec != want {
		t.Fatalf("record %q, RFC 8463 publishes %q", rec, want)
	}
}

func TestSignDualVerifies(t *testing.T) {
	ks, dns := loadExampleKeys(t)
	fields, body := exampleMessage(t)
	sigs, err := ks.Sign(context.Background(), "football.example.com", fields, strings.NewReader(body), Options{Expire: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 2 {
		t.Fatalf("%d signatures, want 2 (Ed25519 and RSA)", len(sigs))
	}
	verifs := verify(t, sigs, fields, body, dns)
	algs := map[string]bool{}
	for i, v := range verifs {
		if v.Err != nil {
			t.Fatalf("signature %d: %v\n%s", i, v.Err, sigs[i].Value)
		}
		if v.Domain != "football.example.com" {
			t.Errorf("signature %d: d=%s", i, v.Domain)
		}
		tags := tagsOf(sigs[i].Value)
		algs[tags["a"]] = true
		if tags["c"] != "relaxed/relaxed" {
			t.Errorf("c=%s", tags["c"])
		}
		// RFC 8463's own signatures have this body hash for this body.
		if tags["bh"] != "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=" {
			t.Errorf("bh=%s, RFC 8463 has 2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", tags["bh"])
		}
		if tags["h"] != "From:From:Subject:Date:To:Message-ID" {
			t.Errorf("h=%s: want the present fields with From oversigned", tags["h"])
		}
		if tags["t"] == "" || tags["x"] == "" {
			t.Errorf("t=%q x=%q, want both", tags["t"], tags["x"])
		}
		if !v.Expiration.After(v.Time) || v.Expiration.Sub(v.Time) > time.Hour+time.Second {
			t.Errorf("t=%v x=%v: want x about an hour after t", v.Time, v.Expiration)
		}
	}
	if !algs["ed25519-sha256"] || !algs["rsa-sha256"] {
		t.Errorf("algorithms %v, want ed25519-sha256 and rsa-sha256", algs)
	}
}

// TestSignCoversHeaderAsDelivered: a later change of a signed field, or
// an added From, breaks the signature; an unsigned field does not.
func TestSignCoversHeaderAsDelivered(t *testing.T) {
	ks, dns := loadExampleKeys(t)
	fields, body := exampleMessage(t)
	sigs, err := ks.Sign(context.Background(), "football.example.com", fields, strings.NewReader(body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func([]mailmsg.Field) []mailmsg.Field
		pass bool
	}{
		{"unchanged", func(f []mailmsg.Field) []mailmsg.Field { return f }, true},
		{"unsigned field added", func(f []mailmsg.Field) []mailmsg.Field {
			return append(f, mailmsg.Field{Name: "X-Spam", Value: " yes"})
		}, true},
		{"subject changed", func(f []mailmsg.Field) []mailmsg.Field {
			out := append([]mailmsg.Field(nil), f...)
			for i := range out {
				if out[i].Name == "Subject" {
					out[i].Value = " [SPAM] Is dinner ready?"
				}
			}
			return out
		}, false},
		{"second From added", func(f []mailmsg.Field) []mailmsg.Field {
			return append([]mailmsg.Field{{Name: "From", Value: " mallory@example.net"}}, f...)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, v := range verify(t, sigs, tt.edit(fields), body, dns) {
				if (v.Err == nil) != tt.pass {
					t.Errorf("signature %d: err %v, want pass %v", i, v.Err, tt.pass)
				}
			}
		})
	}
}

func TestSignNoKeyNoFrom(t *testing.T) {
	ks, _ := loadExampleKeys(t)
	fields, body := exampleMessage(t)
	sigs, err := ks.Sign(context.Background(), "other.example", fields, strings.NewReader(body), Options{})
	if err != nil || sigs != nil {
		t.Fatalf("domain without key: %v, %v", sigs, err)
	}
	var noFrom []mailmsg.Field
	for _, f := range fields {
		if f.Name != "From" {
			noFrom = append(noFrom, f)
		}
	}
	if _, err := ks.Sign(context.Background(), "football.example.com", noFrom, strings.NewReader(body), Options{}); !errors.Is(err, ErrNoFrom) {
		t.Fatalf("no From: %v, want ErrNoFrom", err)
	}
}

func TestSignStopsAtContextEnd(t *testing.T) {
	ks, _ := loadExampleKeys(t)
	fields, body := exampleMessage(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ks.Sign(ctx, "football.example.com", fields, strings.NewReader(body), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestHeaderKeys(t *testing.T) {
	fields := []mailmsg.Field{{Name: "Received", Value: " x"}, {Name: "from", Value: " a@example.test"},
		{Name: "To", Value: " b@example.test"}, {Name: "To", Value: " c@example.test"}, {Name: "Content-Type", Value: " text/plain"}}
	got := strings.Join(headerKeys(fields), ":")
	if want := "From:From:To:To:Content-Type"; got != want {
		t.Fatalf("h=%s, want %s", got, want)
	}
}

// tagsOf returns the tags of a DKIM-Signature value, whitespace removed.
func tagsOf(v string) map[string]string {
	out := map[string]string{}
	for part := range strings.SplitSeq(mailmsg.Unfold(v), ";") {
		k, val, ok := strings.Cut(part, "=")
		if ok {
			out[strings.TrimSpace(k)] = strings.Join(strings.Fields(val), "")
		}
	}
	return out
}
