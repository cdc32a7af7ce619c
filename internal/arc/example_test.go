package arc_test

import (
	"context"
	"fmt"
	"strings"

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
