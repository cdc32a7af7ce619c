package engine

import "testing"

func TestDecodedSubject(t *testing.T) {
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
			if got := decodedSubject(tc.values); got != tc.want {
				t.Errorf("decodedSubject(%q) = %q, want %q", tc.values, got, tc.want)
			}
		})
	}
}
