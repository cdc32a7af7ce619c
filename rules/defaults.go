package rules

import (
	"embed"
	"path"
)

// defaultFS holds the shipped rules and thresholds.
//
//go:embed defaults/*.yml
var defaultFS embed.FS

// Defaults returns the shipped rule sources, sorted by name and named
// "defaults/<file>.yml": SPF (RFC 7208 §8), DKIM (RFC 6376 §6.3), DMARC
// (RFC 7489 §6.3) and DNSBL (RFC 5782 §2.1) rules, tag_at 5, reject_at 15.
// Put them before the operator's sources in Compile so that those can
// override or disable them.
func Defaults() []Source {
	entries, err := defaultFS.ReadDir("defaults")
	if err != nil {
		return nil
	}
	out := make([]Source, 0, len(entries))
	for _, e := range entries {
		name := path.Join("defaults", e.Name())
		data, err := defaultFS.ReadFile(name)
		if err != nil {
			continue
		}
		out = append(out, Source{Name: name, Data: data})
	}
	return out
}
