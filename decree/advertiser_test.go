package decree

import (
	"testing"

	"milter91/internal/txn"
)

func TestAdvertiserID(t *testing.T) {
	pass := func(d string) txn.DKIM { return txn.DKIM{Result: txn.ResultPass, Domain: d} }
	cases := []struct {
		name string
		dkim []txn.DKIM
		from string
		want string
	}{
		{name: "aligned DKIM", dkim: []txn.DKIM{pass("mail.shop.example.com")}, from: "news.shop.example.com", want: "example.com"},
		{name: "ESP signature only", dkim: []txn.DKIM{pass("esp.example.net")}, from: "shop.example.com", want: "example.com"},
		{name: "failed aligned signature", dkim: []txn.DKIM{{Result: txn.ResultFail, Domain: "example.com"}}, from: "Shop.Example.COM.", want: "example.com"},
		{name: "no DKIM", from: "example.co.uk", want: "example.co.uk"},
		{name: "subdomain under a two-level suffix", from: "mail.shop.com.vn", want: "shop.com.vn"},
		{name: "IDN From domain (punycode from Python idna)", from: "ví-dụ.vn", want: "xn--v-d-rma6749a.vn"},
		{name: "From is a public suffix", from: "com.vn", want: "com.vn"},
		{name: "no From domain", dkim: []txn.DKIM{pass("example.com")}, from: "", want: ""},
		{name: "invalid From domain", from: "exa mple..com", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := advertiserID(tc.dkim, tc.from); got != tc.want {
				t.Errorf("advertiserID = %q, want %q", got, tc.want)
			}
		})
	}
}
