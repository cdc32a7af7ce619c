package decree

import (
	"slices"
	"testing"
)

func TestFindContacts(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		exclude []string
		web     bool
		phone   bool
		email   []string
	}{
		{name: "https link", text: "Hủy: https://example.com/huy.", web: true},
		{name: "rendered link", text: "Hủy đăng ký <https://example.com/u?id=1>", web: true},
		{name: "www host", text: "vào www.example.com/huy để hủy", web: true},
		{name: "bare www is not a host", text: "www. nothing", web: false},
		{name: "www inside an address", text: "gửi info@www.example.com", email: []string{"info@www.example.com"}},
		{name: "http as a word", text: "the http protocol", web: false},
		{name: "mailto link", text: "<mailto:Huy@Example.com?subject=Huy>", email: []string{"huy@example.com"}},
		{name: "plain addresses, deduplicated", text: "a@example.com, A@example.com; b.c+d@mail.example.org.",
			email: []string{"a@example.com", "b.c+d@mail.example.org"}},
		{name: "no domain dot", text: "root@localhost", email: nil},
		{name: "address in a URL", text: "https://example.com/u?email=khach@example.net&p=0901234567",
			web: true},
		{name: "recipient excluded", text: "gửi tới khach@example.net, hủy: huy@example.com",
			exclude: []string{"khach@example.net"}, email: []string{"huy@example.com"}},
		{name: "phone", text: "gọi 1900 1234", phone: true},
		{name: "tel link", text: "<tel:+1-650-253-0000>", phone: true},
		{name: "Vietnamese address", text: "thư: hủy@ví-dụ.vn", email: []string{"hủy@ví-dụ.vn"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := findContacts(tc.text, tc.exclude)
			if c.web != tc.web || c.phone != tc.phone || !slices.Equal(c.email, tc.email) {
				t.Errorf("got web=%v phone=%v email=%q, want web=%v phone=%v email=%q",
					c.web, c.phone, c.email, tc.web, tc.phone, tc.email)
			}
		})
	}
}
