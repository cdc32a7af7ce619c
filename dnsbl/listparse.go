package dnsbl

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/netip"
	"os"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/idna"

	"milter91/internal/fileerr"
	"milter91/internal/regfile"
)

// maxListErrors caps the bad lines reported by LoadList, so that loading
// the wrong file (a million bad lines) still gives a readable error.
const maxListErrors = 100

// maxLocalPart is the longest local part of an email entry, in octets
// (RFC 5321 §4.5.3.1.1).
const maxLocalPart = 64

// LoadList reads a list file. Each line holds one entry:
//
//   - an IPv4 or IPv6 address, or a CIDR (host bits are cleared:
//     192.0.2.1/24 is 192.0.2.0/24; IPv4-mapped IPv6 entries are stored as
//     IPv4);
//   - a domain name, which lists that name and every name below it;
//   - "=" and a domain name, which lists exactly that name;
//   - an email address local@domain, which lists that address.
//
// Domain names (alone or in an address) are stored as lower-case A-labels
// (RFC 5891 §5, UTS #46 lookup) and need at least two labels; local parts
// are lower-cased, as the consent registry does, and may not hold spaces,
// '#' or ','. '#' starts a comment; blank lines are skipped; a leading
// UTF-8 BOM and CRLF line ends are accepted. A line containing a comma is
// a CSV record whose first column (optionally double-quoted) is the entry;
// when the first entry line is such a record and its first column is not
// an entry ("ip,reason,date"), it is a header and skipped.
//
// Every bad line is reported, as "path:line: reason", joined into one
// error (the first 100, then a count); any bad line fails the whole load,
// so that a reload keeps the previous list. A path that is not a regular
// file (a FIFO, a device, a directory) is refused before it is read. I/O
// errors are returned as is.
func LoadList(path string) (*List, error) {
	l, _, err := loadFile(path)
	return l, err
}

// loadFile is LoadList that also returns the FileInfo of the file read,
// so that a watcher can tell later whether the file has changed. A path
// that is not a regular file (a FIFO would block the open, a device never
// end) is an error at once (regfile.Open).
func loadFile(path string) (*List, os.FileInfo, error) {
	f, fi, err := regfile.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	l, err := parseList(f, path)
	if err != nil {
		return nil, nil, err
	}
	return l, fi, nil
}

// parseList reads entries from r; name prefixes error messages. A panic
// in it (a bug) is an Internal fileerr.Error at name:1:1: the list file
// is refused, a reload keeps the previous list, and the daemon lives.
func parseList(r io.Reader, name string) (_ *List, err error) {
	defer fileerr.Recover(name, "list parser", &err)
	b := newListBuilder()
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
		if len(entry) < len(line) {
			entry = strings.Clone(entry) // a stored name must not keep the comment or CSV columns alive
		}
		first := !seenData
		seenData = true
		key, err := b.add(entry)
		if err != nil && csv && first {
			b.authority = isAuthorityHeader(line)
			continue // CSV header row
		}
		if err == nil && b.authority {
			err = b.addRequest(key, line)
		}
		if err != nil {
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
	return b.finish(), nil
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

// prefix6 is an IPv6 CIDR entry while the list is being built.
type prefix6 struct {
	lo   u128
	bits uint8
}

// listBuilder collects entries; finish turns them into a List.
type listBuilder struct {
	v4      []uint64 // network<<6 | prefix length: sorts by network, broadest first
	v6      []prefix6
	domains map[string]domKind
	emails  map[string]struct{}
	// authority: the header row named the columns of an authority's
	// blocking requests (isAuthorityHeader); requests keeps them.
	authority bool
	requests  map[string]Request
}

func newListBuilder() *listBuilder {
	return &listBuilder{domains: make(map[string]domKind), emails: make(map[string]struct{})}
}

// add parses one entry and stores it; key is the entry normalised as the
// Match methods return it.
func (b *listBuilder) add(entry string) (key string, err error) {
	switch {
	case entry == "":
		return "", errors.New("empty entry")
	case entry[0] == '=':
		d, err := normDomain(entry[1:])
		if err != nil {
			return "", fmt.Errorf("%q: '=' needs a domain name: %w", entry, err)
		}
		b.domains[d] |= domExact
		return "=" + d, nil
	case strings.Contains(entry, "@"):
		a, err := normAddress(entry)
		if err != nil {
			return "", fmt.Errorf("%q: not an email address: %w", entry, err)
		}
		b.emails[a] = struct{}{}
		return a, nil
	case strings.Contains(entry, "/"):
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return "", fmt.Errorf("%q: not a CIDR", entry)
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return b.addPrefix(p.Masked()), nil
	}
	if a, err := netip.ParseAddr(entry); err == nil {
		if a.Zone() != "" {
			return "", fmt.Errorf("%q: scoped IPv6 address", entry)
		}
		a = a.Unmap()
		return b.addPrefix(netip.PrefixFrom(a, a.BitLen())), nil
	}
	d, err := normDomain(entry)
	if err != nil {
		return "", fmt.Errorf("%q: not an IP address, CIDR, domain name or email address: %w", entry, err)
	}
	b.domains[d] |= domSubtree
	return d, nil
}

// addPrefix stores a masked prefix and returns it as MatchIP gives it.
func (b *listBuilder) addPrefix(p netip.Prefix) string {
	if a := p.Addr(); a.Is4() {
		b.v4 = append(b.v4, uint64(addr4(a))<<6|uint64(p.Bits()))
	} else {
		b.v6 = append(b.v6, prefix6{lo: addr16(p.Addr()), bits: uint8(p.Bits())})
	}
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

// finish sorts the ranges and drops those inside a broader one: CIDRs
// either nest or are disjoint, so what is left is disjoint and a lookup
// is one binary search. Dropped entries still count in Len.
func (b *listBuilder) finish() *List {
	l := &List{domains: b.domains, emails: b.emails, n: len(b.emails), requests: b.requests}
	for _, k := range b.domains {
		l.n += bits.OnesCount8(uint8(k))
	}
	slices.Sort(b.v4)
	keys := slices.Compact(b.v4)
	l.n += len(keys)
	for _, k := range keys {
		lo := uint32(k >> 6)
		hi := lo | hostMask4(int(k&63))
		if n := len(l.v4); n > 0 && lo <= l.v4[n-1].hi {
			continue
		}
		l.v4 = append(l.v4, range4{lo: lo, hi: hi})
	}
	l.v4 = slices.Clip(l.v4)
	slices.SortFunc(b.v6, func(x, y prefix6) int {
		return cmp.Or(x.lo.cmp(y.lo), cmp.Compare(x.bits, y.bits))
	})
	ps := slices.Compact(b.v6)
	l.n += len(ps)
	for _, p := range ps {
		hi := p.lo.or(hostMask6(int(p.bits)))
		if n := len(l.v6); n > 0 && p.lo.cmp(l.v6[n-1].hi) <= 0 {
			continue
		}
		l.v6 = append(l.v6, range6{lo: p.lo, hi: hi})
	}
	l.v6 = slices.Clip(l.v6)
	return l
}

// normDomain returns name as lower-case A-labels without a final dot. It
// requires two or more labels (a single label would list a whole TLD) and
// a non-numeric last label (192.0.2.300 is a typo, not a domain).
func normDomain(name string) (string, error) {
	d, err := toASCII(strings.TrimSuffix(name, "."))
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

// normAddress returns an email entry as the lower-cased local part, "@"
// and the domain as normDomain gives it; one pair of angle brackets
// around the address is dropped.
func normAddress(a string) (string, error) {
	if strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">") {
		a = a[1 : len(a)-1]
	}
	i := strings.LastIndexByte(a, '@')
	if i < 0 {
		return "", errors.New("no '@'")
	}
	local := a[:i]
	switch {
	case local == "":
		return "", errors.New("empty local part")
	case len(local) > maxLocalPart:
		return "", fmt.Errorf("local part longer than %d octets", maxLocalPart)
	case strings.ContainsFunc(local, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "", errors.New("space or control character in the local part")
	}
	d, err := normDomain(a[i+1:])
	if err != nil {
		return "", fmt.Errorf("domain: %w", err)
	}
	return strings.ToLower(local) + "@" + d, nil
}

// toASCII maps a domain name to lower-case A-labels with the IDNA lookup
// profile (UTS #46, RFC 5891 §5). Plain LDH names, nearly all of a list
// and of the lookups, skip the IDNA tables: it would only lower-case them.
func toASCII(name string) (string, error) {
	if d, ok := ldhLower(name); ok {
		return d, nil
	}
	return idna.Lookup.ToASCII(name)
}

// ldhLower returns name lower-cased when it holds only ASCII letters,
// digits, hyphens and dots, and no label starts or ends with a hyphen or
// has hyphens in its 3rd and 4th places (A-labels, RFC 5891 §4.2.3.1):
// for such a name the IDNA lookup profile does nothing but lower-case.
// ok is false for every other name.
func ldhLower(name string) (string, bool) {
	upper, start := false, 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			lb := name[start:i]
			n := len(lb)
			if n > 0 && (lb[0] == '-' || lb[n-1] == '-' || n >= 4 && lb[2] == '-' && lb[3] == '-') {
				return "", false
			}
			start = i + 1
			continue
		}
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		case 'A' <= c && c <= 'Z':
			upper = true
		default:
			return "", false
		}
	}
	if upper {
		name = strings.ToLower(name)
	}
	return name, true
}
