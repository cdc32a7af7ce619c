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

// A check reads the message through one View: the From already parsed,
// with a status for a missing or broken one, the Subject decoded, any
// other field unfolded.
func ExampleNewView() {
	msg := "From: =?UTF-8?Q?C=E1=BB=ADa_H=C3=A0ng?= <khuyenmai@Shop.Example.COM>\r\n" +
		"Subject: =?UTF-8?Q?=5BQC=5D_=C6=AFu_=C4=91=C3=A3i?=\r\n" +
		"List-Unsubscribe: <mailto:unsub@shop.example.com>,\r\n <https://shop.example.com/u>\r\n" +
		"\r\n"
	fields, _, err := mailmsg.ReadHeader(bufio.NewReader(strings.NewReader(msg)))
	if err != nil {
		panic(err)
	}
	v := mailmsg.NewView(fields)
	fmt.Println(v.From.Status, v.From.Addresses[0].Name, v.From.Addrs())
	fmt.Println(v.Subject)
	fmt.Printf("%q\n", v.Values("list-unsubscribe"))
	fmt.Println(mailmsg.NewView(nil).From.Status)
	// Output:
	// ok Cửa Hàng [khuyenmai@shop.example.com]
	// [QC] Ưu đãi
	// [" <mailto:unsub@shop.example.com>, <https://shop.example.com/u>"]
	// missing
}

// Domains compare by their ASCII form; the organizational domain is what
// DMARC aligns and what the Decree 91 advertiser id is.
func ExampleOrgDomain() {
	for _, name := range []string{"news.shop.example.co.uk", "Mail.Ví-Dụ.vn", "com.vn"} {
		d, err := mailmsg.ParseDomain(name)
		if err != nil {
			panic(err)
		}
		org, ok := mailmsg.OrgDomain(d)
		fmt.Println(d, "→", org, ok)
	}
	// Output:
	// news.shop.example.co.uk → example.co.uk true
	// mail.ví-dụ.vn/mail.xn--v-d-rma6749a.vn → ví-dụ.vn/xn--v-d-rma6749a.vn true
	// com.vn → com.vn false
}
