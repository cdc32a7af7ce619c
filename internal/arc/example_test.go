package arc_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"milter91/internal/arc"
	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
)

// Example validates a message without ARC fields, and one whose chain
// was broken by removing its ARC-Seal.
func Example() {
	dns := &resolver.Fake{}
	plain := []mailmsg.Field{{Name: "From", Value: " alice@example.org"}}
	res, _ := arc.Verify(context.Background(), dns, plain, strings.NewReader("hi\r\n"))
	fmt.Println("arc=" + res.Result)

	broken := append([]mailmsg.Field{
		{Name: "ARC-Message-Signature", Value: " i=1; a=rsa-sha256; d=lists.example.org; s=s; h=from; bh=AA==; b=AA=="},
		{Name: "ARC-Authentication-Results", Value: " i=1; lists.example.org; dkim=pass"},
	}, plain...)
	res, _ = arc.Verify(context.Background(), dns, broken, strings.NewReader("hi\r\n"))
	fmt.Println("arc="+res.Result, res.Detail)
	// Output:
	// arc=none
	// arc=fail ARC set i=1 is incomplete
}

// ExampleSealer_Seal adds a first ARC Set to a message and validates it;
// the public key is served as a DKIM key record.
func ExampleSealer_Seal() {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	dns := &resolver.Fake{TXT: map[string][]string{
		"arc1._domainkey.example.net": {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
	}}
	s := arc.Sealer{Domain: "example.net", Selector: "arc1", Signer: priv}
	msg := []mailmsg.Field{{Name: "From", Value: " alice@example.org"}, {Name: "Subject", Value: " hi"}}
	chain, _ := arc.Verify(context.Background(), dns, msg, strings.NewReader("hi\r\n"))
	set, err := s.Seal(context.Background(), msg, strings.NewReader("hi\r\n"), chain.Result,
		"mx.example.net; dmarc=pass header.from=example.org; arc="+chain.Result, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	res, _ := arc.Verify(context.Background(), dns, append(set, msg...), strings.NewReader("hi\r\n"))
	fmt.Println("arc="+res.Result, res.Sealers, res.AAR)
	// Output:
	// arc=pass [example.net] i=1; mx.example.net; dmarc=pass header.from=example.org; arc=none
}
