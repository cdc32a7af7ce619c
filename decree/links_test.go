package decree

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestLinks(t *testing.T) {
	cases := []struct {
		name    string
		headers []string
		body    string
		max     int
		want    []Link
	}{
		{name: "plain text forms",
			body: "Xem https://Shop.Example.com/a?x=1 và www.example.org/khuyen-mai, gửi thư cho lienhe@example.net\n" +
				"hoặc mailto:huy@example.com?subject=huy, IP http://192.0.2.7/x, lặp lại https://shop.example.com/b",
			want: []Link{{Host: "shop.example.com"}, {Host: "www.example.org"}, {Email: true, Host: "example.net", Address: "lienhe@example.net"},
				{Email: true, Host: "example.com", Address: "huy@example.com"}, {Host: "192.0.2.7"}}},
		{name: "HTML hrefs and text",
			headers: []string{"Content-Type: text/html; charset=utf-8"},
			body:    `<p>Mua <a href="https://click.example.com/t?u=1&amp;c=2">ngay</a></p><a href="mailto:unsub@example.org">x</a> shop.example.net`,
			want:    []Link{{Host: "click.example.com"}, {Email: true, Host: "example.org", Address: "unsub@example.org"}, {Host: "shop.example.net"}}},
		{name: "tricky HTML",
			headers: []string{"Content-Type: text/html"},
			body: `<A HREF="&#104;ttps://Evil.example.com/x">a</A><a href=" https://a.example.net/?q=1&amp;r=2 ">b</a>` +
				`<script>var u="https://script.example.org/"</script><p>Visit www.shop.example.com/deal.</p>`,
			want: []Link{{Host: "evil.example.com"}, {Host: "a.example.net"}, {Host: "www.shop.example.com"}}},
		{name: "every part of a multipart/alternative",
			headers: []string{"Content-Type: multipart/alternative; boundary=b"},
			body: "--b\r\nContent-Type: text/plain\r\n\r\nhttps://plain.example.com/\r\n" +
				"--b\r\nContent-Type: text/html\r\n\r\n<a href=\"https://html.example.com/\">x</a>\r\n--b--\r\n",
			want: []Link{{Host: "plain.example.com"}, {Host: "html.example.com"}}},
		{name: "multipart without a usable boundary is text",
			headers: []string{`Content-Type: multipart/mixed; boundary="NOPE`},
			body:    "See http://www.spammy.example.com/ now", want: []Link{{Host: "www.spammy.example.com"}}},
		{name: "attachments are not text",
			headers: []string{"Content-Type: multipart/mixed; boundary=b"},
			body:    "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment\r\n\r\nhttps://att.example.com/\r\n--b--\r\n",
			want:    nil},
		{name: "punctuation and non-links",
			body: "(https://A.example.com/x), [www.example.org/offer]. Giá 1.250.000đ, mua ngay.Giảm giá, file.test, " +
				"Email:info@example.net. user@localhost mailto:unsub@shop.example.com?subject=x http://192.0.2.1:8080/ x@y@z",
			want: []Link{{Host: "a.example.com"}, {Host: "www.example.org"}, {Email: true, Host: "example.net", Address: "info@example.net"},
				{Email: true, Host: "shop.example.com", Address: "unsub@shop.example.com"}, {Host: "192.0.2.1"}}},
		// Part headers are bounded (maxPartHeader): a 16 MB body of one part
		// header of two million short lines took the daemon 1 GB.
		{name: "a long part header within the bound",
			headers: []string{"Content-Type: multipart/mixed; boundary=b"},
			body:    "--b\r\nContent-Type: text/plain\r\n" + strings.Repeat("X-A: b\r\n", 7000) + "\r\nhttps://one.example.com/\r\n--b--\r\n",
			want:    []Link{{Host: "one.example.com"}}},
		{name: "a part header past the bound ends the walk",
			headers: []string{"Content-Type: multipart/mixed; boundary=b"},
			body: "--b\r\nContent-Type: text/plain\r\n\r\nhttps://one.example.com/\r\n" +
				"--b\r\nContent-Type: text/plain\r\n" + strings.Repeat("X-A: b\r\n", 9000) + "\r\nhttps://two.example.com/\r\n" +
				"--b\r\nContent-Type: text/plain\r\n\r\nhttps://three.example.com/\r\n--b--\r\n",
			want: []Link{{Host: "one.example.com"}}},
		{name: "max", body: "a.example.com b.example.com c.example.com", max: 2,
			want: []Link{{Host: "a.example.com"}, {Host: "b.example.com"}}},
		{name: "only the head of a part", body: "https://first.example.com/ " + strings.Repeat("x ", DefaultMaxLinkBytes/2) + "https://late.example.com/",
			want: []Link{{Host: "first.example.com"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := readBody(context.Background(), msg(t, tc.headers, tc.body), 0, DefaultMaxLinkBytes).Links(tc.max); !slices.Equal(got, tc.want) {
				t.Errorf("Links = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// ReadBody reads nothing once its context has ended: a multipart message
// whose parts carry links gives links under a live context and none under
// an ended one.
func TestReadBodyStopsAtContextEnd(t *testing.T) {
	m := msg(t, []string{"Content-Type: multipart/mixed; boundary=b"},
		"--b\r\nContent-Type: text/plain\r\n\r\nhttps://one.example.com/\r\n"+
			"--b\r\nContent-Type: text/plain\r\n\r\nhttps://two.example.com/\r\n--b--\r\n")
	if got := readBody(context.Background(), m, 0, DefaultMaxLinkBytes).Links(0); len(got) != 2 {
		t.Fatalf("live context: links %+v, want 2", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := readBody(ctx, m, 0, DefaultMaxLinkBytes).Links(0); len(got) != 0 {
		t.Errorf("ended context: links %+v, want none", got)
	}
}
