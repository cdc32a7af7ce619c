package decree

import (
	"slices"
	"testing"
)

func TestScanPhones(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{text: "Gọi 0901 234 567 ngay", want: []string{"0901 234 567"}},
		{text: "0901234567", want: []string{"0901234567"}},
		{text: "ĐT: 0901.234.567.", want: []string{"0901.234.567"}},
		{text: "ĐT: 090-123-4567", want: []string{"090-123-4567"}},
		{text: "+84 901 234 567", want: []string{"+84 901 234 567"}},
		{text: "+84 (0) 901 234 567", want: []string{"+84 (0) 901 234 567"}},
		{text: "84-912-345-678", want: []string{"84-912-345-678"}},
		{text: "(024) 1234 5678", want: []string{"(024) 1234 5678"}},
		{text: "028.1234.5678", want: []string{"028.1234.5678"}},
		{text: "Tổng đài 1900 1234", want: []string{"1900 1234"}},
		{text: "1800.123.456", want: []string{"1800.123.456"}},
		{text: "Hotline: 1900\u20131234, 0901\u2013234\u2013567", want: []string{"1900\u20131234", "0901\u2013234\u2013567"}},
		{text: "1900\u20111234 hoặc 0901\u00a0234\u00a0567", want: []string{"1900\u20111234", "0901\u00a0234\u00a0567"}},
		{text: "1900123456", want: []string{"1900123456"}},
		{text: "1900 1234 - 0901 234 567", want: []string{"1900 1234", "0901 234 567"}},
		{text: "Giá 19.000.000đ", want: nil},
		{text: "Giá 1.900.000đ", want: nil},
		{text: "Ngày 01-02-2026", want: nil},
		{text: "2026-10-05", want: nil},
		{text: "0123 456 789", want: nil},    // 01x is not a mobile prefix
		{text: "0901 234 56", want: nil},     // 9 digits
		{text: "0901 234 5678", want: nil},   // 11 digits, not 02x
		{text: "190012", want: nil},          // 1900 + 2
		{text: "1900 1234567", want: nil},    // 1900 + 7
		{text: "+1 650 253 0000", want: nil}, // not Vietnamese
		{text: "id=x0901234567", want: nil},
		{text: "mã 123-0901234567", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			var got []string
			scanPhones(tc.text, func(start, end int) { got = append(got, tc.text[start:end]) })
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHasTelLink(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{text: "Gọi <tel:19001234>", want: true},
		{text: "<tel:+84-901-234-567>", want: true},
		{text: "<TEL:+1%20650%20253%200000>", want: true},
		{text: "Tel: +1 650 253 0000", want: true},
		{text: "<tel:1234>", want: false},
		{text: "hotel: 0901234567 rooms", want: false},
		{text: "no link", want: false},
	}
	for _, tc := range cases {
		if got := hasTelLink(tc.text); got != tc.want {
			t.Errorf("hasTelLink(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
