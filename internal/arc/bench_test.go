package arc

import (
	"context"
	"strings"
	"testing"
	"time"

	"milter91/internal/resolver"
)

// BenchmarkSeal: the third ARC Set on the suite's valid two-set chain
// (cv_pass_i2_1), RSA-2048 and Ed25519: one body hash pass, the message
// signature and the seal (two private-key operations).
func BenchmarkSeal(b *testing.B) {
	for _, c := range []struct {
		name string
		ed   bool
	}{{"rsa2048", false}, {"ed25519", true}} {
		b.Run(c.name, func(b *testing.B) {
			fields, body, _ := passingCase(b, "cv_pass_i2_1")
			s := sealer(b, &resolver.Fake{}, c.ed)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Seal(context.Background(), fields, strings.NewReader(body), ResultPass, sealAR, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
