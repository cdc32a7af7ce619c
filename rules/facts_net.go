package rules

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// Connection and envelope facts that are not text patterns (rows of
// factTable): client_ip, size_over, size_under, authenticated.

// compileClientIP reads addresses and CIDR prefixes (IPv4 or IPv6; host bits
// are ignored, IPv4-mapped IPv6 counts as IPv4): true when the client IP is
// in one of them. Detail: "client_ip 127.0.0.0/8".
func compileClientIP(v Value) (Matcher, error) {
	type entry struct {
		prefix netip.Prefix
		text   string
	}
	var entries []entry
	err := eachText(v, func(at Value, s string) error {
		p, err := parsePrefix(s)
		if err != nil {
			return at.Errorf("client_ip: %v", err)
		}
		entries = append(entries, entry{prefix: p, text: s})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		ip := in.Txn.Conn.ClientIP.Unmap()
		if !ip.IsValid() {
			return Hit{}, false
		}
		for _, e := range entries {
			if e.prefix.Contains(ip) {
				return Hit{Detail: "client_ip " + e.text}, true
			}
		}
		return Hit{}, false
	}, nil
}

// parsePrefix parses "192.0.2.1", "2001:db8::/32" or "127.0.0.0/8".
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "%") {
		return netip.Prefix{}, fmt.Errorf("%q: zoned IPv6 addresses are not allowed", s)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR prefix", s)
		}
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				return netip.Prefix{}, fmt.Errorf("%q: an IPv4-mapped prefix needs at least /96", s)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR prefix", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// sizeFact compares the message size (Transaction.Size: headers plus body,
// in bytes) with a limit. Detail: "size_over 10KiB".
func sizeFact(name string, cmp func(size, limit int64) bool) FactCompiler {
	return func(v Value) (Matcher, error) {
		limit, text, err := parseSize(v)
		if err != nil {
			return nil, err
		}
		detail := name + " " + text
		return func(in *Input) (Hit, bool) {
			if !cmp(in.Txn.Size(), limit) {
				return Hit{}, false
			}
			return Hit{Detail: detail}, true
		}, nil
	}
}

// sizeUnits are the accepted suffixes: decimal (SI) and binary (IEC).
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1000, "mb": 1000 * 1000, "gb": 1000 * 1000 * 1000,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
}

// parseSize reads a byte count: an integer, or a number with a unit suffix
// such as "10KiB", "1.5 MiB", "20MB" (units case-insensitive).
func parseSize(v Value) (int64, string, error) {
	if n, err := v.Int(); err == nil {
		if n < 0 {
			return 0, "", v.Errorf("size must not be negative")
		}
		return n, strconv.FormatInt(n, 10), nil
	}
	s, err := v.Text()
	if err != nil {
		return 0, "", v.Errorf("want a size such as 1048576 or \"1MiB\", got %s", v.Kind())
	}
	num := strings.TrimRight(s, "bBkKmMgGiI ")
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(s[len(num):]))]
	f, perr := strconv.ParseFloat(num, 64)
	if !ok || perr != nil || f < 0 || math.IsNaN(f) || f*float64(unit) > math.MaxInt64/2 {
		return 0, "", v.Errorf("bad size %q (want e.g. 1048576, \"10KiB\", \"1MiB\", \"20MB\")", s)
	}
	return int64(f * float64(unit)), s, nil
}

// compileAuthenticated: true when the client's SASL login (AuthUser) is
// set, for `authenticated: true`, or unset for false.
func compileAuthenticated(v Value) (Matcher, error) {
	want, err := v.Bool()
	if err != nil {
		return nil, err
	}
	detail := "authenticated=" + strconv.FormatBool(want)
	return func(in *Input) (Hit, bool) {
		if (in.Txn.AuthUser != "") != want {
			return Hit{}, false
		}
		return Hit{Detail: detail}, true
	}, nil
}
