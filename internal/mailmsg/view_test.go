package mailmsg

import (
	"slices"
	"testing"
)

func TestView(t *testing.T) {
	v := NewView([]Field{
		{"From", " Alice <alice@Example.COM>"},
		{"subject", " =?UTF-8?Q?=5BQC=5D?=\r\n =?UTF-8?Q?_=C6=AFu?= "},
		{"Subject", " second"},
		{"Reply-To", " r@reply.test, not an address"},
		{"Reply-To", " s@reply.test"},
		{"List-Id", " \r\n "},
		{"X-Folded", " a\r\n b"},
	})
	if v.From.Status != FromOK || !slices.Equal(v.From.Addrs(), []string{"alice@example.com"}) {
		t.Errorf("From %+v", v.From)
	}
	if v.Subject != "[QC] Ưu" {
		t.Errorf("Subject %q, want the first one decoded", v.Subject)
	}
	if got := v.Values("x-folded"); !slices.Equal(got, []string{" a b"}) {
		t.Errorf("Values = %q", got)
	}
	if got, ok := v.First("SUBJECT"); !ok || got != " =?UTF-8?Q?=5BQC=5D?= =?UTF-8?Q?_=C6=AFu?= " {
		t.Errorf("First = %q, %v", got, ok)
	}
	if _, ok := v.First("To"); ok || v.Values("To") != nil {
		t.Error("a missing field has values")
	}
	if v.Present("List-Id") || !v.Present("x-folded") || v.Present("To") {
		t.Error("Present: a blank field counts, or a present one does not")
	}
	// The unparsable first Reply-To gives nothing; the second its address.
	if got := v.Addresses("Reply-To"); len(got) != 1 || got[0].Addr != "s@reply.test" {
		t.Errorf("Addresses = %+v", got)
	}
}

func TestViewWithoutFromOrSubject(t *testing.T) {
	v := NewView(nil)
	if v.From.Status != FromMissing || v.Subject != "" {
		t.Errorf("empty view: From %+v Subject %q", v.From, v.Subject)
	}
}

func TestViewSubject(t *testing.T) {
	cases := []struct {
		name   string
		values []string
		want   string
	}{
		{name: "none", values: nil, want: ""},
		{name: "plain", values: []string{" Khuyến mãi"}, want: "Khuyến mãi"},
		{name: "first field only", values: []string{"a", "b"}, want: "a"},
		{name: "folded words joined", values: []string{" =?UTF-8?Q?=5BQC=5D?=\r\n =?UTF-8?Q?_=C6=AFu?="}, want: "[QC] Ưu"},
		{name: "bad word does not hide the rest", values: []string{" =?UTF-8?Q?=5BQC=5D?= =?bogus?Q?x?= sale"}, want: "[QC] =?bogus?Q?x?= sale"},
		{name: "unpadded base64", values: []string{" =?UTF-8?B?W1FDXQ?="}, want: "[QC]"},
		// 0xF0 is đ in windows-1258.
		{name: "windows-1258", values: []string{" =?windows-1258?Q?=F0i?="}, want: "đi"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fields []Field
			for _, v := range tc.values {
				fields = append(fields, Field{Name: "Subject", Value: v})
			}
			if got := NewView(fields).Subject; got != tc.want {
				t.Errorf("Subject of %q = %q, want %q", tc.values, got, tc.want)
			}
		})
	}
}
