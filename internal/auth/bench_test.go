package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"milter91/internal/resolver"
)

// BenchmarkVerifyDKIM verifies a 10 KiB message with one RSA-2048
// rsa-sha256 signature; the key record comes from a resolver.Fake.
func BenchmarkVerifyDKIM(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	line := strings.Repeat("x", 76) + "\r\n"
	body := strings.Repeat(line, 10*1024/len(line))
	msg := sign(b, key, "example.com", "bench", strings.TrimSuffix(testMessage, "Hello Bob.\r\n")+body)
	r := &resolver.Fake{TXT: map[string][]string{"bench._domainkey.example.com": {rsaRecord(b, key)}}}
	ctx := context.Background()
	res, err := VerifyDKIM(ctx, r, strings.NewReader(msg), 0)
	if err != nil || len(res) != 1 || res[0].Result != "pass" {
		b.Fatalf("setup: %+v, %v", res, err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyDKIM(ctx, r, strings.NewReader(msg), 0); err != nil {
			b.Fatal(err)
		}
	}
}
