package mailmsg

import (
	"net/netip"
	"strings"
	"testing"
)

func TestReceivedFrom(t *testing.T) {
	tests := []struct {
		name, value string
		helo, ip    string // ip "" = not ok
	}{
		{"postfix", " from client.example.test (unknown [127.0.0.2])\r\n\tby backup.e2e.test (Postfix) with ESMTP id 4Xy1\r\n\tfor <rcpt@example.net>; Tue, 8 Dec 2026 04:00:00 +0000 (UTC)",
			"client.example.test", "127.0.0.2"},
		{"postfix with rDNS", " from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net (Postfix) with ESMTPS id 1", "mail.example.com", "192.0.2.1"},
		{"IPv6", " from h.example.com (unknown [IPv6:2001:db8::1]) by mx.example.net", "h.example.com", "2001:db8::1"},
		{"IPv4-mapped", " from h (x [IPv6:::ffff:192.0.2.7]) by mx", "h", "192.0.2.7"},
		{"exim", " from [192.0.2.9] (helo=claimed.example) by mx.example.net with esmtp (Exim 4.96)", "[192.0.2.9]", "192.0.2.9"},
		{"HELO literal and TCP-info", " from [10.0.0.1] (unknown [192.0.2.3]) by mx", "[10.0.0.1]", "192.0.2.3"},
		{"upper case", "FROM h (u [192.0.2.4]) BY mx", "h", "192.0.2.4"},
		{"literal after by is not the sender", " from h (unknown) by mx ([192.0.2.5])", "", ""},
		{"local pickup", " by backup.e2e.test (Postfix, from userid 0) id 4Xy1; Tue, 8 Dec 2026 04:00:00 +0000", "", ""},
		{"no from clause", " (qmail 1234 invoked by uid 89); 8 Dec 2026", "", ""},
		{"bad literal", " from h (u [999.1.1.1]) by mx", "", ""},
		{"zone refused", " from h (u [IPv6:fe80::1%eth0]) by mx", "", ""},
		{"unclosed bracket", " from h (u [192.0.2.1", "", ""},
		{"comment hides by", " from h (by [192.0.2.6]) by mx", "h", "192.0.2.6"},
		{"HELO forges a comment", " from a([192.0.2.66]) (unknown [127.0.0.2]) by mx.example.net (Postfix)", "a([192.0.2.66])", "127.0.0.2"},
		{"HELO opens a comment", " from a([192.0.2.66] (unknown [127.0.0.2]) by mx", "a([192.0.2.66]", "127.0.0.2"},
		{"HELO forges a literal", " from [192.0.2.66]([192.0.2.67]) (unknown [127.0.0.2]) by mx", "[192.0.2.66]([192.0.2.67])", "127.0.0.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hop, ok := ReceivedFrom(tc.value)
			if tc.ip == "" {
				if ok {
					t.Fatalf("ReceivedFrom = %+v, want none", hop)
				}
				return
			}
			if !ok || hop.IP != netip.MustParseAddr(tc.ip) || hop.HELO != tc.helo {
				t.Fatalf("ReceivedFrom = %+v %v, want %s %s", hop, ok, tc.helo, tc.ip)
			}
		})
	}
}

// TestReceivedFromHostile: the hostile shapes (runs of whitespace, of
// brackets, of parentheses, a megabyte value) are read within
// MaxReceivedBytes, and an address past the bound is not seen.
func TestReceivedFromHostile(t *testing.T) {
	for _, v := range []string{
		" from h" + strings.Repeat(" ", 1<<20) + "(u [192.0.2.1])",
		" from h " + strings.Repeat("[", 1<<20),
		" from h " + strings.Repeat("(", 1<<20) + "[192.0.2.1]",
		" from h " + strings.Repeat("x [", 1<<18),
	} {
		hop, ok := ReceivedFrom(v)
		if ok {
			t.Errorf("ReceivedFrom(%.20q…) = %+v, want none: the address is past the bound or absent", v, hop)
		}
	}
}
