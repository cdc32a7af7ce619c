package config

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/goccy/go-yaml/ast"

	"milter91/internal/sockaddr"
	"milter91/internal/txn"
)

type validator struct {
	name string
	file *ast.File
	errs ErrorList
}

func (v *validator) fail(path, format string, args ...any) {
	line, col := position(v.file, path)
	v.errs = append(v.errs, Error{File: v.name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) validate(r *raw) *Config {
	c := &Config{
		Listen:          r.Listen,
		SocketGroup:     r.SocketGroup,
		AuthservID:      r.AuthservID,
		MessageDeadline: v.duration("$.message_deadline", r.MessageDeadline, 100*time.Millisecond, maxDeadline),
		ShutdownGrace:   v.duration("$.shutdown_grace", r.ShutdownGrace, 0, maxDeadline),
		SpoolThreshold:  v.size("$.spool_threshold", r.SpoolThreshold, 1, maxSpoolThreshold),
		SpoolDir:        r.SpoolDir,
		MetricsListen:   r.MetricsListen,
		Tag:             Tag{SubjectPrefix: r.Tag.SubjectPrefix},
	}
	c.SkipAuthenticated = r.SkipAuthenticated == nil || *r.SkipAuthenticated
	v.listen(c, string(r.SocketMode))
	v.metrics(c, r.MetricsRemote)
	v.limits(c, &r.Limits)
	v.failMode(c, r.FailMode)
	v.mode(c, r.Mode, &r.Modes)
	v.quarantine(c, &r.Quarantine)
	v.trusted(c, r.TrustedNetworks)
	if c.AuthservID == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "localhost"
		}
		c.AuthservID = h
	} else if strings.ContainsAny(c.AuthservID, " \t;()\"") {
		v.fail("$.authserv_id", "authserv_id: %q must be a single token (RFC 8601 §2.5)", c.AuthservID)
	}
	v.dns(c, &r.DNS)
	v.dkim(c, &r.DKIM)
	v.arcSeal(c, &r.ARC.Seal)
	v.dmarc(c, &r.DMARC)
	v.dnsbl(c, &r.DNSBL)
	v.lists(c, r.Lists)
	c.Rules = Rules{Defaults: r.Rules.Defaults == nil || *r.Rules.Defaults, Paths: r.Rules.Paths}
	v.log(c, &r.Log)
	v.paths(c)
	v.decree(c, &r.Decree)
	v.archive(c, &r.Archive)
	v.bayes(c, &r.Bayes)
	c.ContentFacts = r.ContentFacts
	v.admin(c, &r.Admin)
	v.counters(c, &r.Counters)
	v.rateLimits(c, r.RateLimits)
	v.reports(c, &r.Reports)
	return c
}

func (v *validator) listen(c *Config, mode string) {
	if len(c.Listen) == 0 {
		v.fail("$.listen", "listen: at least one address is required")
	}
	seen := map[string]bool{}
	for i, a := range c.Listen {
		path := fmt.Sprintf("$.listen[%d]", i)
		network, addr, err := sockaddr.Parse(a)
		if network == "unix" {
			addr = filepath.Clean(addr)
		}
		switch {
		case err != nil:
			v.fail(path, "listen: %v", err)
		case network == "unix" && !filepath.IsAbs(addr):
			v.fail(path, "listen: %q: a unix socket path must be absolute", a)
		case seen[network+" "+addr]:
			v.fail(path, "listen: %q is listed twice", a)
		}
		seen[network+" "+addr] = true
	}
	m, err := strconv.ParseUint(strings.TrimSpace(mode), 8, 32)
	if err != nil || m > 0o777 {
		v.fail("$.socket_mode", "socket_mode: want an octal mode such as \"0660\"")
	}
	c.SocketMode = os.FileMode(m)
}

func (v *validator) failMode(c *Config, s string) {
	switch s {
	case "tempfail":
		c.FailMode = txn.ActionTempfail
	case "accept":
		c.FailMode = txn.ActionAccept
	default:
		v.fail("$.fail_mode", "fail_mode: %q: want tempfail or accept", s)
	}
}

func (v *validator) dns(c *Config, r *rawDNS) {
	c.DNS.Timeout = v.duration("$.dns.timeout", r.Timeout, 10*time.Millisecond, maxDNSTimeout)
	for i, s := range r.Servers {
		if _, err := NormalizeServer(s); err != nil {
			v.fail(fmt.Sprintf("$.dns.servers[%d]", i), "dns.servers: %v", err)
		}
	}
	c.DNS.Servers = r.Servers
	c.DNS.Retries = v.count("$.dns.retries", r.Retries, 0, maxDNSRetries)
	c.DNS.CacheSize = v.count("$.dns.cache_size", r.CacheSize, 0, maxCacheEntries)
	// 0 turns the cache off; any other size must hold the largest answer
	// (the resolver caches none over 1/16 of the bound).
	switch n, err := humanize.ParseBytes(r.CacheBytes); {
	case err == nil && n == 0:
	case err == nil && (n < minCacheBytes || n > maxCacheBytes):
		v.fail("$.dns.cache_bytes", "dns.cache_bytes: %s, want 0 (off) or %s to %s", r.CacheBytes,
			humanize.IBytes(minCacheBytes), humanize.IBytes(maxCacheBytes))
	default:
		c.DNS.CacheBytes = v.size("$.dns.cache_bytes", r.CacheBytes, minCacheBytes, maxCacheBytes)
	}
}

// NormalizeServer checks a nameserver given as HOST, HOST:PORT or [V6]:PORT
// and returns it as HOST:PORT (port 53 by default).
func NormalizeServer(s string) (string, error) {
	if ip, err := netip.ParseAddr(s); err == nil {
		return net.JoinHostPort(ip.String(), "53"), nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("%q: want HOST or HOST:PORT", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("%q: bad port", s)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		// The resolver must not need another resolver to find its servers.
		return "", fmt.Errorf("%q: the host must be an IP address", s)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

func (v *validator) log(c *Config, r *rawLog) {
	c.Log = Log{Format: r.Format, Level: r.Level}
	if r.Format != "text" && r.Format != "json" {
		v.fail("$.log.format", "log.format: %q: want text or json", r.Format)
	}
	switch r.Level {
	case "debug", "info", "warn", "error":
	default:
		v.fail("$.log.level", "log.level: %q: want debug, info, warn or error", r.Level)
	}
}

// paths checks the spool directory and the Subject prefix, which would
// otherwise fail only when mail arrives.
func (v *validator) paths(c *Config) {
	if c.SpoolDir != "" {
		if fi, err := os.Stat(c.SpoolDir); err != nil {
			v.fail("$.spool_dir", "spool_dir: %v", err)
		} else if !fi.IsDir() {
			v.fail("$.spool_dir", "spool_dir: %q is not a directory", c.SpoolDir)
		} else if f, err := os.CreateTemp(c.SpoolDir, ".milter91-check-*"); err != nil {
			v.fail("$.spool_dir", "spool_dir: %q is not writable: %v", c.SpoolDir, err)
		} else {
			f.Close()
			os.Remove(f.Name())
		}
	}
	for _, r := range c.Tag.SubjectPrefix {
		if r < 0x20 || r == 0x7f {
			v.fail("$.tag.subject_prefix", "tag.subject_prefix: control character %q not allowed in a header", r)
			return
		}
	}
}
