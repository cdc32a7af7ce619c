package arc

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
)

const sealAR = "mx.example.net; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org"

// sealer returns a Sealer for d=example.net, s=arc1 and serves its
// public key in dns (RFC 6376 §3.6.1 record).
func sealer(t testing.TB, dns *resolver.Fake, ed bool) Sealer {
	t.Helper()
	var k crypto.Signer
	var rec string
	if ed {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k, rec = priv, "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(pub)
	} else {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		k, rec = priv, "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der)
	}
	if dns.TXT == nil {
		dns.TXT = map[string][]string{}
	}
	dns.TXT["arc1._domainkey.example.net"] = []string{rec}
	return Sealer{Domain: "example.net", Selector: "arc1", Signer: k}
}

// sealAndVerify seals fields with chain, prepends the new set and
// validates the result.
func sealAndVerify(t *testing.T, s Sealer, dns *resolver.Fake, fields []mailmsg.Field, body, chain string) ([]mailmsg.Field, Result) {
	t.Helper()
	set, err := s.Seal(context.Background(), fields, strings.NewReader(body), chain, sealAR, time.Unix(1765170000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 3 || set[0].Name != "ARC-Seal" || set[1].Name != "ARC-Message-Signature" || set[2].Name != "ARC-Authentication-Results" {
		t.Fatalf("set %+v", set)
	}
	out := append(set, fields...)
	res, err := Verify(context.Background(), dns, out, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

func plainMessage() ([]mailmsg.Field, string) {
	return []mailmsg.Field{
		{Name: "From", Value: " Alice <alice@example.org>"},
		{Name: "To", Value: " list@example.net"},
		{Name: "Subject", Value: " Hello,\r\n\tfolded"},
		{Name: "Date", Value: " Mon, 07 Dec 2026 10:00:00 +0000"},
		{Name: "Message-ID", Value: " <1@example.org>"},
	}, "Hello  there \r\n\r\n\r\n"
}

// TestSealRoundTrip: a first ARC Set (cv=none) made by Seal validates
// as pass with our sealer, with RSA and Ed25519 keys.
func TestSealRoundTrip(t *testing.T) {
	for _, ed := range []bool{false, true} {
		dns := &resolver.Fake{}
		s := sealer(t, dns, ed)
		fields, body := plainMessage()
		out, res := sealAndVerify(t, s, dns, fields, body, ResultNone)
		if res.Result != ResultPass || res.Instances != 1 || strings.Join(res.Sealers, ",") != "example.net" || res.OldestPass != 1 {
			t.Fatalf("ed25519 %v: %+v", ed, res)
		}
		if want := "i=1; " + sealAR; res.AAR != want {
			t.Errorf("AAR %q, want %q", res.AAR, want)
		}
		if !strings.Contains(out[0].Value, "cv=none;") {
			t.Errorf("seal %q has no cv=none", out[0].Value)
		}
		// A changed body breaks the new ARC-Message-Signature.
		res, err := Verify(context.Background(), dns, out, strings.NewReader(body+"x\r\n"))
		if err != nil || res.Result != ResultFail {
			t.Errorf("changed body: %+v %v", res, err)
		}
	}
}

// TestSealOnValidChain: sealing the suite's valid two-set chain gives a
// valid chain of three, every ARC-Message-Signature still verifying.
func TestSealOnValidChain(t *testing.T) {
	fields, body, dns := passingCase(t, "cv_pass_i2_1")
	before, _ := Verify(context.Background(), dns, fields, strings.NewReader(body))
	if before.Result != ResultPass {
		t.Fatalf("suite chain %+v", before)
	}
	s := sealer(t, dns, false)
	out, res := sealAndVerify(t, s, dns, fields, body, before.Result)
	if res.Result != ResultPass || res.Instances != 3 || strings.Join(res.Sealers, ",") != "example.org,example.org,example.net" || res.OldestPass != 1 {
		t.Fatalf("%+v", res)
	}
	if !strings.Contains(out[0].Value, "i=3;") || !strings.Contains(out[0].Value, "cv=pass;") {
		t.Errorf("seal %q", out[0].Value)
	}
}

// TestSealFailedChain: a failed chain gets one set with cv=fail (RFC
// 8617 §5.1.2), which then ends the chain: no set is added after it.
func TestSealFailedChain(t *testing.T) {
	fields, body, dns := passingCase(t, "cv_fail_i2_ams_invalid")
	before, _ := Verify(context.Background(), dns, fields, strings.NewReader(body))
	if before.Result != ResultFail {
		t.Fatalf("suite chain %+v", before)
	}
	s := sealer(t, dns, true)
	out, res := sealAndVerify(t, s, dns, fields, body, before.Result)
	if res.Result != ResultFail || !strings.Contains(out[0].Value, "i=3;") || !strings.Contains(out[0].Value, "cv=fail;") {
		t.Fatalf("%+v; seal %q", res, out[0].Value)
	}
	// The seal covers only its own set: it verifies with that set alone.
	v := &verifier{ctx: context.Background(), r: dns}
	tg, err := parseTags(out[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	own := &Set{Instance: 3, Seal: &out[0], AMS: &out[1], AAR: &out[2], seal: tg}
	if err := v.seal([]*Set{own}); err != nil {
		t.Errorf("own set: %v", err)
	}
	if _, err := s.Seal(context.Background(), out, strings.NewReader(body), res.Result, sealAR, time.Now()); !errors.Is(err, ErrNotSealed) {
		t.Errorf("sealing after cv=fail: %v, want ErrNotSealed", err)
	}
}

// TestSealStopsAtFifty: instance 50 is the last (RFC 8617 §4.2.1); a
// chain that cannot be judged is not sealed either.
func TestSealStopsAtFifty(t *testing.T) {
	dns := &resolver.Fake{}
	s := sealer(t, dns, true)
	fields, body := plainMessage()
	chain := ResultNone
	for range MaxInstances {
		set, err := s.Seal(context.Background(), fields, strings.NewReader(body), chain, sealAR, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		fields, chain = append(set, fields...), ResultPass
	}
	res, err := Verify(context.Background(), dns, fields, strings.NewReader(body))
	if err != nil || res.Result != ResultPass || res.Instances != MaxInstances {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := s.Seal(context.Background(), fields, strings.NewReader(body), ResultPass, sealAR, time.Now()); !errors.Is(err, ErrNotSealed) {
		t.Errorf("i=51: %v, want ErrNotSealed", err)
	}
	plain, _ := plainMessage()
	if _, err := s.Seal(context.Background(), plain, strings.NewReader(body), ResultTemperror, sealAR, time.Now()); !errors.Is(err, ErrNotSealed) {
		t.Errorf("temperror: %v, want ErrNotSealed", err)
	}
	if _, err := s.Seal(context.Background(), plain, strings.NewReader(body), ResultPass, sealAR, time.Now()); err == nil {
		t.Error("cv=pass without a chain accepted")
	}
}
