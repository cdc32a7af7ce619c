package dnsbl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"

	"golang.org/x/net/idna"
)

// maxListErrors caps the bad lines reported by LoadList, so that loading
// the wrong file (a million bad lines) still gives a readable error.
const maxListErrors = 100

// List is a local block list of IP addresses, CIDR ranges and domain names,
// e.g. the national IP/domain blacklist (Decree 91/2020 Art. 8, 9.12).
// It is immutable after LoadList and safe for concurrent use. Lookups cost
// one map probe per distinct prefix length (at most 33 + 129) for an IP and
// one per label for a domain, whatever the list's size.
type List struct {
	prefixes map[netip.Prefix]struct{} // masked; addresses are /32 or /128
	bits4    []int                     // prefix lengths present, IPv4
	bits6    []int                     // prefix lengths present, IPv6
	domains  map[string]struct{}       // lower-case A-labels, no final dot
}

// LoadList reads a list file. Each line holds one entry: an IPv4 or IPv6
// address, a CIDR (host bits are cleared: 192.0.2.1/24 is 192.0.2.0/24),
// or a domain name (Unicode names are stored as A-labels; at least two
// labels). '#' starts a comment; blank lines are skipped; a leading UTF-8
// BOM and CRLF line ends are accepted. A line containing a comma is a CSV
// record whose first column (optionally double-quoted) is the entry; when
// the first entry line is such a record and its first column is not an
// entry ("ip,reason,date"), it is a header and skipped.
//
// Every bad line is reported, as "path:line: reason", joined into one
// error (the first 100, then a count); any bad line fails the whole load,
// so that a reload keeps the previous list. I/O errors are returned as is.
func LoadList(path string) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseList(f, path)
}

// parseList reads entries from r; name prefixes error messages.
func parseList(r io.Reader, name string) (*List, error) {
	l := &List{prefixes: make(map[netip.Prefix]struct{}), domains: make(map[string]struct{})}
	var errs []error
	bad := 0
	sc := bufio.NewScanner(r)
	lineNo, seenData := 0, false
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		entry, csv := splitLine(line)
		if entry == "" && !csv {
			continue
		}
		first := !seenData
		seenData = true
		if err := l.add(entry); err != nil {
			if csv && first {
				continue // CSV header row
			}
			if bad++; bad <= maxListErrors {
				errs = append(errs, fmt.Errorf("%s:%d: %w", name, lineNo, err))
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = errors.New("line longer than 64 KiB")
		}
		return nil, fmt.Errorf("%s:%d: %w", name, lineNo+1, err)
	}
	if bad > maxListErrors {
		errs = append(errs, fmt.Errorf("%s: %d more bad lines", name, bad-maxListErrors))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	l.finish()
	return l, nil
}

// splitLine drops the comment and, for a CSV record, the columns after the
// first; csv reports whether the line was a CSV record.
func splitLine(line string) (entry string, csv bool) {
	line, _, _ = strings.Cut(line, "#")
	line, _, csv = strings.Cut(line, ",")
	line = strings.TrimSpace(line)
	if csv {
		line = strings.TrimSpace(strings.Trim(line, `"`))
	}
	return line, csv
}

// add parses one entry and stores it.
func (l *List) add(entry string) error {
	if entry == "" {
		return errors.New("empty entry")
	}
	if strings.Contains(entry, "/") {
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return fmt.Errorf("%q: not a CIDR", entry)
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		l.prefixes[p.Masked()] = struct{}{}
		return nil
	}
	if a, err := netip.ParseAddr(entry); err == nil {
		if a.Zone() != "" {
			return fmt.Errorf("%q: scoped IPv6 address", entry)
		}
		a = a.Unmap()
		l.prefixes[netip.PrefixFrom(a, a.BitLen())] = struct{}{}
		return nil
	}
	d, err := normDomain(entry)
	if err != nil {
		return fmt.Errorf("%q: not an IP address, CIDR or domain name: %w", entry, err)
	}
	l.domains[d] = struct{}{}
	return nil
}

// finish records the prefix lengths present, longest first.
func (l *List) finish() {
	for p := range l.prefixes {
		if p.Addr().Is4() {
			l.bits4 = append(l.bits4, p.Bits())
		} else {
			l.bits6 = append(l.bits6, p.Bits())
		}
	}
	for _, b := range []*[]int{&l.bits4, &l.bits6} {
		slices.Sort(*b)
		slices.Reverse(*b)
		*b = slices.Compact(*b)
	}
}

// Len returns the number of distinct entries.
func (l *List) Len() int { return len(l.prefixes) + len(l.domains) }

// ContainsIP reports whether ip is listed, alone or inside a CIDR.
// IPv4-mapped IPv6 addresses are looked up as IPv4; the zero Addr is never
// listed.
func (l *List) ContainsIP(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.WithZone("").Unmap()
	bits := l.bits6
	if ip.Is4() {
		bits = l.bits4
	}
	for _, b := range bits {
		p, err := ip.Prefix(b)
		if err != nil {
			continue
		}
		if _, ok := l.prefixes[p]; ok {
			return true
		}
	}
	return false
}

// ContainsDomain reports whether name or one of its parent domains is
// listed: with "example.com" listed, "mail.example.com" is too. Case, a
// final dot and Unicode vs A-label spelling do not matter; a name that is
// not a valid domain is never listed.
func (l *List) ContainsDomain(name string) bool {
	d, err := idna.Lookup.ToASCII(strings.TrimSuffix(name, "."))
	if err != nil || d == "" {
		return false
	}
	for {
		if _, ok := l.domains[d]; ok {
			return true
		}
		var found bool
		if _, d, found = strings.Cut(d, "."); !found {
			return false
		}
	}
}

// normDomain returns name as lower-case A-labels without a final dot. It
// requires two or more labels (a single label would list a whole TLD) and
// a non-numeric last label (192.0.2.300 is a typo, not a domain).
func normDomain(name string) (string, error) {
	d, err := idna.Lookup.ToASCII(strings.TrimSuffix(name, "."))
	if err != nil {
		return "", err
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", errors.New("a domain needs at least two labels")
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return "", errors.New("numeric top-level label")
	}
	for _, lb := range labels {
		if lb == "" || len(lb) > 63 {
			return "", fmt.Errorf("label %q: must be 1-63 octets", lb)
		}
	}
	if len(d) > 253 {
		return "", errors.New("longer than 253 octets")
	}
	return d, nil
}
