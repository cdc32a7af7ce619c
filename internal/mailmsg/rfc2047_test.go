package mailmsg

import "testing"

func TestDecodeHeader(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{name: "plain text", in: "Khuyến mãi lớn", want: "Khuyến mãi lớn"},
		{name: "empty", in: "", want: ""},
		{name: "one bad word keeps the others", in: "=?UTF-8?Q?=5BQC=5D?= =?bogus?Q?x?= sale", want: "[QC] =?bogus?Q?x?= sale"},
		{name: "unpadded base64", in: "=?UTF-8?B?W1FDXQ?=", want: "[QC]"},
		{name: "padded base64", in: "=?UTF-8?B?W1FDXSBVdSBkYWk=?=", want: "[QC] Uu dai"},
		{name: "bad base64 kept raw", in: "=?UTF-8?B?W?= x", want: "=?UTF-8?B?W?= x"},
		{name: "unknown encoding kept raw", in: "=?UTF-8?X?abc?= x", want: "=?UTF-8?X?abc?= x"},
		{name: "space between words dropped", in: "=?UTF-8?Q?Khuy=E1=BA=BFn?= \t =?UTF-8?Q?_m=C3=A3i?=", want: "Khuyến mãi"},
		{name: "space around text kept", in: "Re: =?UTF-8?Q?=5BQC=5D?= sale =?UTF-8?Q?l=E1=BB=9Bn?=", want: "Re: [QC] sale lớn"},
		// 0xE3 = ã in ISO-8859-1; "đ" (U+0111) is 0xF0 in windows-1258.
		{name: "mixed charsets", in: "=?ISO-8859-1?Q?m=E3i?= =?UTF-8?B?xJHhurlw?= =?windows-1258?Q?=F0i?=", want: "mãiđẹpđi"},
		// windows-1258 writes the tone mark as a combining character:
		// a (0x61) + combining tilde (0xDE).
		{name: "windows-1258", in: "=?windows-1258?Q?=5BQC=5D_Khuy=EAn_ma=DEi?=", want: "[QC] Khuyên ma\u0303i"},
		{name: "UTF-8 character split across words", in: "=?UTF-8?Q?=C4?= =?UTF-8?Q?=91i?=", want: "đi"},
		{name: "invalid UTF-8 replaced", in: "=?UTF-8?Q?a=FFb?=", want: "a\uFFFDb"},
		{name: "language suffix", in: "=?UTF-8*vi?Q?=C6=AFu?=", want: "Ưu"},
		{name: "stray equals in Q", in: "=?UTF-8?Q?50=_off?=", want: "50= off"},
		{name: "not a word", in: "a =? b ?= c", want: "a =? b ?= c"},
		{name: "unterminated word", in: "=?UTF-8?Q?abc", want: "=?UTF-8?Q?abc"},
		{name: "word glued to text", in: "x=?UTF-8?Q?y?=z", want: "xyz"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DecodeHeader(tc.in); got != tc.want {
				t.Errorf("DecodeHeader(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
