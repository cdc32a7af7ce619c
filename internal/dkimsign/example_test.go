package dkimsign_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"milter91/internal/dkimsign"
	"milter91/internal/mailmsg"
)

// Example signs a message for example.test with an Ed25519 key, after
// checking that the SASL login may sign for its From domain.
func Example() {
	dir, _ := os.MkdirTemp("", "dkimsign")
	defer os.RemoveAll(dir)
	_, pemData, _ := dkimsign.GenerateKey(dkimsign.AlgEd25519)
	os.WriteFile(filepath.Join(dir, "example.test.s2026e.key"), pemData, 0o600)

	keys, err := dkimsign.Load([]dkimsign.KeySpec{
		{Domain: "example.test", Selector: "s2026e", Key: "example.test.s2026e.key"},
	}, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	who, _ := dkimsign.NewAuthorizer(nil) // each login signs for its own domain
	if ok, reason := who.Allow("alice@example.test", "example.test"); !ok {
		fmt.Println("not signed:", reason)
		return
	}
	_, reason := who.Allow("alice@example.test", "other.example")
	fmt.Println("refused:", reason)

	fields := []mailmsg.Field{
		{Name: "From", Value: " Alice <alice@example.test>"},
		{Name: "To", Value: " bob@example.net"},
		{Name: "Subject", Value: " hello"},
	}
	sigs, err := keys.Sign(context.Background(), "example.test", fields, strings.NewReader("Hi Bob.\r\n"), dkimsign.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	v := mailmsg.Unfold(sigs[0].Value)
	fmt.Println(sigs[0].Name, strings.Contains(v, "a=ed25519-sha256;"), strings.Contains(v, "h=From:From:Subject:To;"))
	// Output:
	// refused: SASL user "alice@example.test" may not sign for other.example (not its login domain)
	// DKIM-Signature true true
}
