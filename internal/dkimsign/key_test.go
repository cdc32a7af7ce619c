package dkimsign

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"milter91/internal/dkimtest"
)

func TestReadKeyFormats(t *testing.T) {
	dir := t.TempDir()
	rsaKey := dkimtest.RSAKey(t)
	pkcs1 := filepath.Join(dir, "pkcs1.key")
	os.WriteFile(pkcs1, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}), 0o600)
	tests := []struct {
		path, alg string
	}{
		{pkcs1, AlgRSA},
		{writeKey(t, dir, "pkcs8-rsa.key", rsaKey), AlgRSA},
		{writeKey(t, dir, "pkcs8-ed.key", rfc8463Key(t)), AlgEd25519},
	}
	for _, tt := range tests {
		s, alg, err := ReadKey(tt.path)
		if err != nil || alg != tt.alg || s == nil {
			t.Errorf("%s: %v %q %v, want %s", filepath.Base(tt.path), s, alg, err, tt.alg)
		}
	}
}

func TestReadKeyRefusals(t *testing.T) {
	dir := t.TempDir()
	open := writeKey(t, dir, "open.key", rfc8463Key(t))
	os.Chmod(open, 0o640)
	small := filepath.Join(dir, "rsa1024.key")
	data, err := os.ReadFile("testdata/rsa1024.pem")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(small, data, 0o600)
	cert := filepath.Join(dir, "cert.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), 0o600)
	enc := filepath.Join(dir, "enc.pem")
	os.WriteFile(enc, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), 0o600)
	big := filepath.Join(dir, "big.pem")
	os.WriteFile(big, make([]byte, maxKeyFile+1), 0o600)
	tests := []struct {
		path, want string
	}{
		{open, "mode 0640"},
		{small, "RSA key of 1024 bits"},
		{cert, "no PEM"},
		{enc, "encrypted"},
		{big, "over 65536 bytes"},
		{filepath.Join(dir, "missing"), "no such file"},
	}
	for _, tt := range tests {
		_, _, err := ReadKey(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", filepath.Base(tt.path), err, tt.want)
		}
	}
}

// TestRSA1024IsTheRFC8463Key: the refused small key is the one whose
// public half RFC 8463's example publishes (provenance of the test key).
func TestRSA1024IsTheRFC8463Key(t *testing.T) {
	data, _ := os.ReadFile("testdata/rsa1024.pem")
	b, _ := pem.Decode(data)
	k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := KeyRecord(&k.PublicKey)
	if want := rfc8463DNS(t)["test._domainkey.football.example.com"]; rec != want {
		t.Fatalf("record %q, RFC 8463 publishes %q", rec, want)
	}
}

func TestLoadActiveAndStandby(t *testing.T) {
	dir := t.TempDir()
	rsaKey := dkimtest.RSAKey(t)
	writeKey(t, dir, "a.key", rsaKey)
	writeKey(t, dir, "b.key", rsaKey)
	writeKey(t, dir, "e.key", rfc8463Key(t))
	ks, err := Load([]KeySpec{
		{Domain: "example.test", Selector: "s2026r", Key: "a.key"},
		{Domain: "example.test", Selector: "s2027r", Key: "b.key"},
		{Domain: "example.test", Selector: "s2026e", Key: "e.key"},
	}, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range ks.Signing("EXAMPLE.test.") {
		got = append(got, k.Selector)
	}
	if strings.Join(got, ",") != "s2026r,s2026e" {
		t.Fatalf("signing selectors %v, want s2026r,s2026e (the first of each algorithm)", got)
	}
	if n := len(ks.Keys("example.test")); n != 3 {
		t.Fatalf("%d keys loaded, want 3", n)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	writeKey(t, dir, "ok.key", rfc8463Key(t))
	_, err := Load([]KeySpec{
		{Domain: "example.test", Selector: "ok", Key: "ok.key"},
		{Domain: "example.test", Selector: "gone", Key: "missing.key"},
		{Domain: "example.test", Selector: "gone2", Key: "missing2.key"},
	}, dir)
	p, ok := err.(Problems)
	if !ok || len(p) != 2 || p[0].Path != "dkim.sign[1].key" || p[1].Path != "dkim.sign[2].key" {
		t.Fatalf("err %v, want two key problems", err)
	}
}

func TestKeygenRoundTrip(t *testing.T) {
	for _, alg := range []string{AlgRSA, AlgEd25519} {
		k, pemData, err := GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		back, gotAlg, err := ParseKey(pemData)
		if err != nil || gotAlg != alg {
			t.Fatalf("%s: %v %s", alg, err, gotAlg)
		}
		if r, ok := k.(*rsa.PrivateKey); ok && r.N.BitLen() != 2048 {
			t.Errorf("RSA key of %d bits", r.N.BitLen())
		}
		a, _ := KeyRecord(k.Public())
		b, _ := KeyRecord(back.Public())
		if a != b {
			t.Errorf("%s: key changed in the round trip", alg)
		}
	}
	if _, _, err := GenerateKey("dsa"); err == nil {
		t.Error("dsa accepted")
	}
}

func TestZoneLineSplits(t *testing.T) {
	rec := "v=DKIM1; k=rsa; p=" + strings.Repeat("A", 392)
	line := ZoneLine("S1", "Example.TEST.", rec)
	if !strings.HasPrefix(line, `s1._domainkey.example.test. IN TXT "v=DKIM1; k=rsa; p=`) {
		t.Fatalf("line %q", line)
	}
	parts := regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(line, -1)
	var joined string
	for _, p := range parts {
		s := p[1]
		if len(s) > 255 {
			t.Errorf("string of %d bytes", len(s))
		}
		joined += s
	}
	if len(parts) != 2 || joined != rec {
		t.Fatalf("%d strings, joined %q", len(parts), joined)
	}
}
