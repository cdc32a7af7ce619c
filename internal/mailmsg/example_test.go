package mailmsg_test

import (
	"bufio"
	"fmt"
	"strings"

	"milter91/internal/mailmsg"
)

func ExampleReadHeader() {
	msg := "From: Alice <alice@example.com>\r\n" +
		"Subject: quarterly\r\n report\r\n" +
		"Received: from a\r\n" +
		"Received: from b\r\n" +
		"\r\n" +
		"Hello.\r\n"
	br := bufio.NewReader(strings.NewReader(msg))
	fields, _, err := mailmsg.ReadHeader(br)
	if err != nil {
		panic(err)
	}
	for _, f := range fields {
		fmt.Printf("%s: %q\n", f.Name, strings.TrimSpace(mailmsg.Unfold(f.Value)))
	}
	x := mailmsg.IndexFields(fields)
	fmt.Println("second Received at", x.Nth("received", 2))
	// Output:
	// From: "Alice <alice@example.com>"
	// Subject: "quarterly report"
	// Received: "from a"
	// Received: "from b"
	// second Received at 3
}
