package archive

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{in: "User@Example.COM", want: "user@example.com"},
		{in: " <User@Example.COM> ", want: "user@example.com"},
		{in: `"Doe, Jane" <Jane.Doe@Example.org>`, want: "jane.doe@example.org"},
		{in: "=?UTF-8?B?VGnhur9uZw==?= <ĐỨC@example.com>", want: "đức@example.com"},
		{in: "<>", want: ""},
		{in: "", want: ""},
		{in: "no-brackets@example.net>", want: "no-brackets@example.net>"},
	} {
		if got := NormalizeAddress(c.in); got != c.want {
			t.Errorf("NormalizeAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalizeMessageID(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{in: "<Abc.123@Example.COM>", want: "Abc.123@Example.COM"},
		{in: "\r\n\t<abc@example.com> (comment)", want: "abc@example.com"},
		{in: "<first@example.com> <second@example.com>", want: "first@example.com"},
		{in: "bare@example.com", want: "bare@example.com"},
		{in: "<unclosed@example.com", want: "unclosed@example.com"},
		{in: "<>", want: ""},
		{in: "", want: ""},
	} {
		if got := NormalizeMessageID(c.in); got != c.want {
			t.Errorf("NormalizeMessageID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCanonicalIP(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{in: "127.0.0.1", want: "127.0.0.1", ok: true},
		{in: " [127.0.0.1] ", want: "127.0.0.1", ok: true},
		{in: "0:0:0:0:0:0:0:1", want: "::1", ok: true},
		{in: "::FFFF:127.0.0.3", want: "127.0.0.3", ok: true},
		{in: "127.1", ok: false},
		{in: "example.com", ok: false},
		{in: "", ok: false},
	} {
		got, err := canonicalIP(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("canonicalIP(%q) = %q, %v; want %q, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	if got := storedIP("unknown"); got != "unknown" {
		t.Errorf("storedIP(unknown) = %q, want it kept", got)
	}
}

func TestIndexKey(t *testing.T) {
	long := strings.Repeat("é", maxIndexed) // 2 bytes each
	for _, c := range []struct {
		name, in, want string
	}{
		{name: "plain", in: "abc", want: "abc"},
		{name: "NUL dropped", in: "a\x00b", want: "ab"},
		{name: "8-bit replaced", in: "caf\xe9", want: "caf\uFFFD"},
		{name: "cut at a rune boundary", in: "a" + long, want: "a" + long[:maxIndexed-2]},
	} {
		got := indexKey(c.in)
		if got != c.want || !utf8.ValidString(got) || len(got) > maxIndexed {
			t.Errorf("%s: indexKey = %q (%d bytes), want %q", c.name, got, len(got), c.want)
		}
	}
}

func TestHeaderBlock(t *testing.T) {
	for _, c := range []struct {
		name   string
		fields [][2]string
		want   string
	}{
		{name: "none", want: ""},
		{name: "two fields", fields: [][2]string{{"From", "a@example.com"}, {"Subject", "hi"}},
			want: "From: a@example.com\r\nSubject: hi"},
		{name: "kept leading space and folding", fields: [][2]string{{"Received", " from x\r\n\tby y"}, {"X-Empty", ""}},
			want: "Received: from x\r\n\tby y\r\nX-Empty:"},
	} {
		if got := HeaderBlock(c.fields); got != c.want {
			t.Errorf("%s: HeaderBlock = %q, want %q", c.name, got, c.want)
		}
	}
}
