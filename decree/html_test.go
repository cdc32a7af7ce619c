package decree

import "testing"

func TestRenderHTML(t *testing.T) {
	cases := []struct {
		name, html, want string
	}{
		{name: "blocks and breaks", html: "<p>một</p><p>hai<br>ba</p><div>bốn</div>", want: "một\nhai\nba\nbốn"},
		{name: "whitespace collapses", html: "<p>  a\n\t b&nbsp;&nbsp;c </p>", want: "a b c"},
		{name: "table cells", html: "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", want: "a b\nc"},
		{name: "dropped elements", html: "<head><title>T</title><style>p{}</style></head><script>x()</script><p>v</p>", want: "v"},
		{name: "links kept", html: `<a href=" https://example.com/u ">Hủy</a> | <a href="mailto:h@example.com">Thư</a> | <a href="tel:19001234">Gọi</a>`,
			want: "Hủy <https://example.com/u> | Thư <mailto:h@example.com> | Gọi <tel:19001234>"},
		{name: "other links dropped", html: `<a href="javascript:x()">x</a> <a href="/rel">y</a> <a>z</a>`, want: "x y z"},
		{name: "entities", html: "<p>Ti&#7871;ng Vi&#7879;t &amp; c&ocirc;</p>", want: "Tiếng Việt & cô"},
		{name: "unclosed template does not hide body", html: "<template>x<body><p>v</p>", want: "v"},
		{name: "control characters are blanks", html: "a\x01b\x7fc\x00d", want: "a b c d"},
		{name: "not HTML", html: "plain text only", want: "plain text only"},
		{name: "empty", html: "", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := renderHTML(tc.html); got != tc.want {
				t.Errorf("renderHTML = %q, want %q", got, tc.want)
			}
		})
	}
}
