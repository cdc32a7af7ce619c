package mailmsg

import (
	"slices"
	"strings"
	"testing"
)

func TestParseFrom(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		status FromStatus
		addrs  []string
		err    string // substring of From.Err
	}{
		{name: "one mailbox", values: []string{" Alice <alice@Example.COM>"}, status: FromOK, addrs: []string{"alice@example.com"}},
		{name: "list and folding", values: []string{" a@example.com,\r\n b@example.org"}, status: FromOK,
			addrs: []string{"a@example.com", "b@example.org"}},
		{name: "local part case kept", values: []string{" Alice@EXAMPLE.com"}, status: FromOK, addrs: []string{"Alice@example.com"}},
		// A display name in a charset no decoder knows does not hide the
		// address (RFC 2047 §6.3: leave what cannot be decoded).
		{name: "unknown charset in the name", values: []string{" =?x-unknown?Q?Shop?= <shop@example.com>"}, status: FromOK,
			addrs: []string{"shop@example.com"}},
		// net/mail gives the local part unquoted: the domain is after the
		// last "@".
		{name: "quoted local part with @", values: []string{` "a@b"@example.com`}, status: FromOK, addrs: []string{"a@b@example.com"}},
		{name: "missing", status: FromMissing},
		{name: "empty value", values: []string{" "}, status: FromUnparsable, err: "no address"},
		{name: "not an address", values: []string{" not an address"}, status: FromUnparsable, err: "mail:"},
		{name: "empty group", values: []string{" undisclosed-recipients:;"}, status: FromEmpty},
		{name: "one of two fields unparsable", values: []string{" a@example.com", " ???"}, status: FromUnparsable,
			addrs: []string{"a@example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := ParseFrom(tc.values)
			if f.Status != tc.status || !slices.Equal(f.Addrs(), tc.addrs) || f.Fields != len(tc.values) {
				t.Errorf("ParseFrom(%q) = %+v, want %s %q", tc.values, f, tc.status, tc.addrs)
			}
			if (tc.status == FromUnparsable) != (f.Err != "") || !strings.Contains(f.Err, tc.err) {
				t.Errorf("Err %q, want one containing %q for unparsable only", f.Err, tc.err)
			}
		})
	}
}

func TestFromDomain(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{[]string{" a@Mail.Example.com"}, "mail.example.com"},
		{[]string{` "x@y"@example.org`}, "example.org"},
		{[]string{" a@example.com, b@example.com"}, ""},
		{nil, ""},
	} {
		f := ParseFrom(tc.values)
		if got := f.Domain(); got != tc.want {
			t.Errorf("ParseFrom(%q).Domain() = %q, want %q", tc.values, got, tc.want)
		}
	}
}

func TestParseAddressListNames(t *testing.T) {
	list, err := ParseAddressList(" =?UTF-8?Q?C=E1=BB=ADa_H=C3=A0ng?= <shop@example.com>, Bob <bob@example.net>")
	if err != nil {
		t.Fatal(err)
	}
	want := []Address{{Name: "Cửa Hàng", Addr: "shop@example.com"}, {Name: "Bob", Addr: "bob@example.net"}}
	if !slices.Equal(list, want) {
		t.Errorf("ParseAddressList = %+v, want %+v", list, want)
	}
}
