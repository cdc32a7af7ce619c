package dkimsign

import (
	"context"
	"strings"
	"testing"

	"milter91/internal/dkimtest"
	"milter91/internal/mailmsg"
)

// benchMessage is a typical message: 12 header fields, a 10 KiB body.
func benchMessage() ([]mailmsg.Field, string) {
	fields := []mailmsg.Field{
		{Name: "Received", Value: " from client.example.net (client.example.net [192.0.2.1]) by mx.example.test"},
		{Name: "From", Value: " Alice <alice@example.test>"},
		{Name: "To", Value: " Bob <bob@example.net>"},
		{Name: "Cc", Value: " carol@example.net"},
		{Name: "Subject", Value: " Quarterly figures"},
		{Name: "Date", Value: " Mon, 01 Jun 2026 10:00:00 +0700"},
		{Name: "Message-ID", Value: " <20260601100000.1@example.test>"},
		{Name: "MIME-Version", Value: " 1.0"},
		{Name: "Content-Type", Value: " text/plain; charset=utf-8"},
		{Name: "Content-Transfer-Encoding", Value: " 8bit"},
		{Name: "X-Mailer", Value: " bench"},
		{Name: "Authentication-Results", Value: " mx.example.test; spf=pass smtp.mailfrom=example.test"},
	}
	return fields, strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", 180)
}

func benchSign(b *testing.B, specs func(dir string) []KeySpec) {
	dir := b.TempDir()
	ks, err := Load(specs(dir), dir)
	if err != nil {
		b.Fatal(err)
	}
	fields, body := benchMessage()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ks.Sign(context.Background(), "example.test", fields, strings.NewReader(body), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign is the cost of signing one message (12 fields, 10 KiB
// body) with one RSA-2048 key, one Ed25519 key, and both (dual-signing).
func BenchmarkSign(b *testing.B) {
	b.Run("rsa2048", func(b *testing.B) {
		benchSign(b, func(dir string) []KeySpec {
			return []KeySpec{{Domain: "example.test", Selector: "r", Key: writeKey(b, dir, "r.key", dkimtest.RSAKey(b))}}
		})
	})
	b.Run("ed25519", func(b *testing.B) {
		benchSign(b, func(dir string) []KeySpec {
			return []KeySpec{{Domain: "example.test", Selector: "e", Key: writeKey(b, dir, "e.key", rfc8463Key(b))}}
		})
	})
	b.Run("dual", func(b *testing.B) {
		benchSign(b, func(dir string) []KeySpec {
			return []KeySpec{
				{Domain: "example.test", Selector: "r", Key: writeKey(b, dir, "r.key", dkimtest.RSAKey(b))},
				{Domain: "example.test", Selector: "e", Key: writeKey(b, dir, "e.key", rfc8463Key(b))},
			}
		})
	})
}
