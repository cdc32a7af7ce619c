package dkim

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

func TestExportedCanonicalization(t *testing.T) {
	h, err := CanonicalizeHeader(CanonicalizationRelaxed, "SubJect :  A  \r\n\tb \r\n")
	if err != nil || h != "subject:A b\r\n" {
		t.Fatalf("%q %v", h, err)
	}
	var out bytes.Buffer
	w, err := NewBodyCanonicalizer(CanonicalizationRelaxed, &out)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("a  b \r\n\r\n\r\n"))
	w.Close()
	if out.String() != "a b\r\n" {
		t.Fatalf("body %q", out.String())
	}
	if _, err := CanonicalizeHeader("odd", ""); err == nil {
		t.Fatal("unknown canonicalization accepted")
	}
}

func TestQueryPublicKey(t *testing.T) {
	lookup := func(name string) ([]string, error) {
		if name != "brisbane._domainkey.football.example.com" {
			t.Fatalf("lookup %s", name)
		}
		return []string{"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}, nil
	}
	k, err := QueryPublicKey("football.example.com", "brisbane", lookup)
	if err != nil || k.Algorithm != "ed25519" {
		t.Fatalf("%v %v", k, err)
	}
	sum := sha256.Sum256([]byte("x"))
	sig := make([]byte, 64)
	if err := k.Verify(crypto.Hash(0), sum[:], sig); err == nil {
		t.Fatal("a zero signature verified")
	}
	if _, err := QueryPublicKey("football.example.com", "brisbane", func(string) ([]string, error) {
		return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString([]byte("short"))}, nil
	}); !IsPermFail(err) {
		t.Fatalf("short key: %v", err)
	}
}
