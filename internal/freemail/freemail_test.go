package freemail_test

import (
	"fmt"
	"testing"

	"milter91/internal/freemail"
)

func TestHas(t *testing.T) {
	s := freemail.New([]string{"Mail.Example.NET."})
	tests := []struct {
		domain string
		want   bool
	}{
		{"gmail.com", true},
		{"GMAIL.COM.", true},
		{"yahoo.com.vn", true},
		{"mail.example.net", true},
		{"example.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := s.Has(tt.domain); got != tt.want {
			t.Errorf("Has(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
	if (freemail.Set{}).Has("mail.example.net") {
		t.Error("the zero Set holds a configured domain")
	}
}

func ExampleSet_Has() {
	s := freemail.New([]string{"isp.example"})
	fmt.Println(s.Has("gmail.com"), s.Has("isp.example"), s.Has("shop.example"))
	// Output: true true false
}
