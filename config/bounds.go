package config

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// Ranges of the durations, sizes and counts: a value outside is an error
// at its position, never a number that wrapped around or a silent default.
// The upper bounds are far beyond any useful setting; each keeps a typo
// (an extra digit, a unit too many) from exhausting memory or disabling a
// check.
const (
	maxDeadline       = time.Hour      // message_deadline, shutdown_grace
	maxDNSTimeout     = time.Minute    // dns.timeout, dnsbl.zones[].timeout
	maxZoneInterval   = 24 * time.Hour // dnsbl.pause_after_blocked, health_interval
	maxSpoolThreshold = 1 << 30        // spool_threshold: bytes held in memory per message
	maxDNSRetries     = 10             // dns.retries
	maxCacheEntries   = 10_000_000     // dns.cache_size
	maxDKIMSignatures = 100            // dkim.max_signatures: each costs a key lookup and an RSA verification
	maxPer24h         = 1000           // decree91.max_per_24h
	maxArchiveQueue   = 1_000_000      // archive.queue: records held in memory
	maxArchiveSpool   = 1 << 40        // archive.spool_max: bytes on disk
	maxBitmask        = 255            // dnsbl.zones[].codes[].bitmask: the last octet
	maxBodyDomains    = 200            // dnsbl.max_body_domains: a message must not buy thousands of queries
	maxQueries        = 1000           // dnsbl.max_queries
)

// number keeps a count as written (quotes trimmed) for validator.count:
// go-yaml reads 1.5 into an int as 1, a tagged null as 0, and an overflow
// without the key's name.
type number string

// UnmarshalYAML implements yaml.BytesUnmarshaler with the node's source text.
func (n *number) UnmarshalYAML(b []byte) error {
	*n = number(strings.Trim(strings.TrimSpace(string(b)), `"'`))
	return nil
}

// duration reads the Go duration s at path (e.g. "$.dns.timeout") within
// lo..hi.
func (v *validator) duration(path, s string, lo, hi time.Duration) time.Duration {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		v.fail(path, "%s: %q is not a duration (e.g. 2s, 300ms)", path[2:], s)
	case d < lo:
		v.fail(path, "%s: %s is below the minimum %s", path[2:], d, lo)
	case d > hi:
		v.fail(path, "%s: %s is above the maximum %s", path[2:], d, hi)
	default:
		return d
	}
	return 0
}

// size reads the byte size s at path ("256KiB", "1MB", "4096") within
// lo..hi bytes.
func (v *validator) size(path, s string, lo, hi uint64) int64 {
	n, err := humanize.ParseBytes(s)
	switch {
	case err != nil:
		v.fail(path, "%s: %q is not a size (e.g. 1MiB)", path[2:], s)
	case n < lo || n > hi:
		v.fail(path, "%s: %s, want %s to %s", path[2:], s, humanize.IBytes(lo), humanize.IBytes(hi))
	default:
		return int64(n)
	}
	return 0
}

// count reads the whole number n at path within lo..hi (decimal digits,
// an optional sign, "_" between digits).
func (v *validator) count(path string, n number, lo, hi int) int {
	i, err := strconv.ParseInt(strings.ReplaceAll(string(n), "_", ""), 10, 64)
	if err == nil && i >= int64(lo) && i <= int64(hi) {
		return int(i)
	}
	got := strconv.Quote(string(n))
	if err == nil || errors.Is(err, strconv.ErrRange) {
		got = string(n)
	}
	v.fail(path, "%s: want a whole number from %d to %d, got %s", path[2:], lo, hi, got)
	return 0
}
