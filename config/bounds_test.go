package config

import (
	"errors"
	"strings"
	"testing"
)

// parseErrors parses src as t.yml and returns its ErrorList; on a panic,
// a Config or another error type the test fails and it returns nil.
func parseErrors(t *testing.T, src string) (list ErrorList) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Parse(%q) panicked: %v", src, r)
			list = nil
		}
	}()
	_, err := Parse("t.yml", []byte(src))
	if !errors.As(err, &list) || len(list) == 0 {
		t.Errorf("Parse(%q): error %v, want an ErrorList", src, err)
		return nil
	}
	return list
}

// Sizes, durations and counts outside their range are errors at the
// value's position, never a wrapped-around number.
func TestParseBounds(t *testing.T) {
	bad := []struct{ src, want string }{
		{"spool_threshold: 9223372036854775808\n", "t.yml:1:18: spool_threshold"},
		{"spool_threshold: 8EiB\n", "t.yml:1:18: spool_threshold"},
		{"spool_threshold: 18446744073709551615\n", "t.yml:1:18: spool_threshold"},
		{"spool_threshold: 1.5GiB\n", "t.yml:1:18: spool_threshold"},
		{"spool_threshold: 0\n", "t.yml:1:18: spool_threshold"},
		{"spool_threshold: 0.5\n", "t.yml:1:18: spool_threshold"},
		{"message_deadline: 2562047h\n", "t.yml:1:19: message_deadline"},
		{"shutdown_grace: 1000h\n", "t.yml:1:17: shutdown_grace"},
		{"dns: {timeout: 1h}\n", "t.yml:1:16: dns.timeout"},
		{"dns: {retries: 99999999999999999999}\n", "t.yml:1:16: dns.retries"},
		{"dns: {retries: 1.5}\n", "t.yml:1:16: dns.retries"},
		{"dns: {cache_size: 1.5}\n", "t.yml:1:19: dns.cache_size"},
		{"dkim: {max_signatures: 0x7fffffffffffffff}\n", "t.yml:1:24: dkim.max_signatures"},
		{"dkim: {max_signatures: 101}\n", "t.yml:1:24: dkim.max_signatures"},
		{"dnsbl: {max_queries: -99999999999999999999}\n", "t.yml:1:22: dnsbl.max_queries"},
		{"dnsbl: {health_interval: 9000h}\n", "t.yml:1:26: dnsbl.health_interval"},
		{"dnsbl: {pause_after_blocked: 9000h}\n", "t.yml:1:30: dnsbl.pause_after_blocked"},
		{"dnsbl: {zones: [{name: z.test, timeout: 2h}]}\n", "t.yml:1:41: dnsbl.zones[0].timeout"},
		{"dnsbl: {zones: [{name: z.test, codes: [{tag: a, bitmask: 4294967297}]}]}\n", "t.yml:1:58: dnsbl.zones[0].codes[0].bitmask"},
		{"decree91: {max_per_24h: 1e30}\n", "t.yml:1:25: decree91.max_per_24h"},
		{"decree91: {max_per_24h: 1001}\n", "t.yml:1:25: decree91.max_per_24h"},
		{"decree91: {retention: 100001d}\n", "t.yml:1:23: decree91.retention"},
		{"decree91: {retention: 99999999999999999999d}\n", "t.yml:1:23: decree91.retention"},
		{"archive: {queue: 9223372036854775807, batch: 10}\n", "t.yml:1:18: archive.queue"},
		{"archive: {queue: 1000001}\n", "t.yml:1:18: archive.queue"},
	}
	for _, tc := range bad {
		list := parseErrors(t, tc.src)
		if list == nil {
			continue
		}
		if got := list.Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("Parse(%q) = %q, want %q…", tc.src, got, tc.want)
		}
	}
	good := []struct {
		src  string
		want func(*Config) bool
	}{
		{"spool_threshold: 1\n", func(c *Config) bool { return c.SpoolThreshold == 1 }},
		{"spool_threshold: 1GiB\n", func(c *Config) bool { return c.SpoolThreshold == 1<<30 }},
		{"message_deadline: 1h\nshutdown_grace: 1h\n", func(c *Config) bool { return c.MessageDeadline.Hours() == 1 && c.ShutdownGrace.Hours() == 1 }},
		{"dns: {timeout: 1m, retries: 10, cache_size: 10000000}\n", func(c *Config) bool { return c.DNS.Retries == 10 && c.DNS.CacheSize == 10_000_000 }},
		{"dns: {retries: 0, cache_size: 0}\n", func(c *Config) bool { return c.DNS.Retries == 0 && c.DNS.CacheSize == 0 }},
		{"dkim: {max_signatures: 100}\n", func(c *Config) bool { return c.DKIM.MaxSignatures == 100 }},
		{"dnsbl: {health_interval: 24h, pause_after_blocked: 0s}\n", func(c *Config) bool { return c.DNSBL.HealthInterval.Hours() == 24 }},
		{"decree91: {max_per_24h: 1000, retention: 100000d}\n", func(c *Config) bool { return c.Decree.MaxPer24h == 1000 }},
		{"archive: {queue: 1000000, batch: 1000000}\n", func(c *Config) bool { return c.Archive.Queue == 1_000_000 }},
		{"dns: {retries: \"2\"}\n", func(c *Config) bool { return c.DNS.Retries == 2 }},
	}
	for _, tc := range good {
		c, err := Parse("t.yml", []byte(tc.src))
		if err != nil || !tc.want(c) {
			t.Errorf("Parse(%q): %v; want accepted at the boundary", tc.src, err)
		}
	}
}

// NaN parses as a float but compares false with every bound: a cutoff or
// an autolearn score of NaN would make the classifier never call a
// message spam (or ham) and never learn, while the config looked valid.
func TestParseBayesNaN(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"bayes: {ham_cutoff: NaN}\n", "t.yml:1:21: bayes.ham_cutoff"},
		{"bayes: {spam_cutoff: nan}\n", "t.yml:1:22: bayes.spam_cutoff"},
		{"bayes: {autolearn_spam_at: NaN}\n", "t.yml:1:28: bayes.autolearn_spam_at"},
		{"bayes: {autolearn_ham_at: -nan}\n", "t.yml:1:27: bayes.autolearn_ham_at"},
	} {
		list := parseErrors(t, tc.src)
		if list == nil {
			continue
		}
		if got := list[0].Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("Parse(%q): first error %q, want it to start with %q", tc.src, got, tc.want)
		}
	}
}
