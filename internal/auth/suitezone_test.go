package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"milter91/internal/resolver"
)

// spfSuite is one scenario of the OpenSPF YAML suite
// (testdata/spf/README.md describes the format).
type spfSuite struct {
	Description string             `yaml:"description"`
	Tests       map[string]spfCase `yaml:"tests"`
	ZoneData    map[string][]any   `yaml:"zonedata"`
}

type spfCase struct {
	Helo     string `yaml:"helo"`
	Host     string `yaml:"host"`
	MailFrom string `yaml:"mailfrom"`
	Result   any    `yaml:"result"` // one result or a list of acceptable ones
}

// results returns the acceptable results of a case.
func (c spfCase) results() []string {
	if l, ok := c.Result.([]any); ok {
		out := make([]string, 0, len(l))
		for _, v := range l {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	return []string{fmt.Sprint(c.Result)}
}

// loadSPFSuite reads every scenario of a suite file.
func loadSPFSuite(t *testing.T, path string) []spfSuite {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []spfSuite
	dec := yaml.NewDecoder(f)
	for {
		var s spfSuite
		err := dec.Decode(&s)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, s)
	}
}

// suiteZone is a scenario's zonedata loaded into a resolver.Fake. The
// suite's TIMEOUT marker makes every lookup of a type the name has no record
// of time out (the pyspf driver's meaning), so the Fake is wrapped.
type suiteZone struct {
	fake     *resolver.Fake
	timeouts map[string]bool
}

var _ resolver.Resolver = suiteZone{}

// newSuiteZone loads zonedata: TXT and SPF strings of one record are joined
// without separator (RFC 7208 §3.3); SPF (type 99) records are served as TXT
// when the name has no TXT entry ("TXT: NONE" is an entry with no record,
// as the suite header explains); PTR names become Fake keys by IP; CNAMEs
// are flattened, and a CNAME loop answers SERVFAIL as a recursive resolver
// would.
func newSuiteZone(t *testing.T, zone map[string][]any) suiteZone {
	z := suiteZone{fake: &resolver.Fake{
		TXT: map[string][]string{}, A: map[string][]netip.Addr{}, AAAA: map[string][]netip.Addr{},
		MX: map[string][]*net.MX{}, PTR: map[string][]string{}, Errors: map[string]error{},
	}, timeouts: map[string]bool{}}
	cnames := map[string]string{}
	for name, records := range zone {
		name = normName(name)
		var spfs []string
		hasTXT := false
		for _, rec := range records {
			m, ok := rec.(map[string]any)
			if !ok {
				if fmt.Sprint(rec) == "TIMEOUT" {
					z.timeouts[name] = true
				} else {
					t.Logf("zonedata %s: unknown marker %v", name, rec)
				}
				continue
			}
			for typ, v := range m {
				switch typ {
				case "SPF":
					if s, ok := joinStrings(v); ok {
						spfs = append(spfs, s)
					}
				case "TXT":
					hasTXT = true
					if s, ok := joinStrings(v); ok && s != "NONE" {
						z.fake.TXT[name] = append(z.fake.TXT[name], s)
					}
				case "CNAME":
					cnames[name] = normName(fmt.Sprint(v))
				default:
					z.addRecord(t, name, typ, v)
				}
			}
		}
		if !hasTXT {
			z.fake.TXT[name] = append(z.fake.TXT[name], spfs...)
		}
	}
	for name := range z.timeouts {
		if ip, ok := reverseName(name); ok {
			z.timeouts[ip.String()] = true
		}
	}
	z.flattenCNAMEs(cnames)
	return z
}

// addRecord adds one A, AAAA, MX or PTR record.
func (z suiteZone) addRecord(t *testing.T, name, typ string, v any) {
	switch typ {
	case "A", "AAAA":
		vals, ok := v.([]any)
		if !ok {
			vals = []any{v}
		}
		for _, s := range vals {
			a, err := netip.ParseAddr(fmt.Sprint(s))
			if err != nil {
				t.Logf("zonedata %s: bad %s %v", name, typ, s)
				continue
			}
			if typ == "A" {
				z.fake.A[name] = append(z.fake.A[name], a)
			} else {
				z.fake.AAAA[name] = append(z.fake.AAAA[name], a)
			}
		}
	case "MX":
		l, ok := v.([]any)
		if !ok || len(l) != 2 {
			t.Logf("zonedata %s: bad MX %v", name, v)
			return
		}
		var pref uint16
		fmt.Sscan(fmt.Sprint(l[0]), &pref)
		z.fake.MX[name] = append(z.fake.MX[name], &net.MX{Host: fmt.Sprint(l[1]), Pref: pref})
	case "PTR":
		ip, ok := reverseName(name)
		if !ok {
			t.Logf("zonedata %s: PTR outside the reverse tree", name)
			return
		}
		z.fake.PTR[ip.String()] = append(z.fake.PTR[ip.String()], fmt.Sprint(v))
	default:
		t.Logf("zonedata %s: unsupported type %s", name, typ)
	}
}

// flattenCNAMEs copies each alias's final target records to the alias.
func (z suiteZone) flattenCNAMEs(cnames map[string]string) {
	for alias := range cnames {
		target, seen := alias, map[string]bool{}
		for cnames[target] != "" && !seen[target] {
			seen[target] = true
			target = cnames[target]
		}
		if seen[target] {
			z.fake.Errors[alias] = resolver.Temporary(alias, "SERVFAIL", false)
			continue
		}
		z.fake.TXT[alias] = z.fake.TXT[target]
		z.fake.A[alias] = z.fake.A[target]
		z.fake.AAAA[alias] = z.fake.AAAA[target]
		z.fake.MX[alias] = z.fake.MX[target]
		if z.timeouts[target] {
			z.timeouts[alias] = true
		}
	}
}

// joinStrings returns the strings of one TXT/SPF record joined; false for a
// record with no strings.
func joinStrings(v any) (string, bool) {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprint(v), true
	}
	if len(l) == 0 {
		return "", false
	}
	var b strings.Builder
	for _, s := range l {
		b.WriteString(fmt.Sprint(s))
	}
	return b.String(), true
}

func normName(n string) string { return strings.ToLower(strings.TrimSuffix(n, ".")) }

// reverseName turns 4.3.2.1.in-addr.arpa or a nibble ip6.arpa name into
// the address.
func reverseName(name string) (netip.Addr, bool) {
	var labels []string
	var v6 bool
	switch {
	case strings.HasSuffix(name, ".in-addr.arpa"):
		labels = strings.Split(strings.TrimSuffix(name, ".in-addr.arpa"), ".")
	case strings.HasSuffix(name, ".ip6.arpa"):
		labels, v6 = strings.Split(strings.TrimSuffix(name, ".ip6.arpa"), "."), true
	default:
		return netip.Addr{}, false
	}
	var b strings.Builder
	for i := len(labels) - 1; i >= 0; i-- {
		b.WriteString(labels[i])
		switch {
		case !v6 && i > 0:
			b.WriteByte('.')
		case v6 && i > 0 && (len(labels)-i)%4 == 0:
			b.WriteByte(':')
		}
	}
	a, err := netip.ParseAddr(b.String())
	return a, err == nil
}

// timeout turns NotFound into a timeout for names with the TIMEOUT marker.
func (z suiteZone) timeout(name string, err error) error {
	if resolver.IsNotFound(err) && z.timeouts[normName(name)] {
		return resolver.Temporary(name, "i/o timeout", true)
	}
	return err
}

func (z suiteZone) LookupTXT(ctx context.Context, name string) ([]string, error) {
	v, err := z.fake.LookupTXT(ctx, name)
	return v, z.timeout(name, err)
}

func (z suiteZone) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	v, err := z.fake.LookupMX(ctx, name)
	return v, z.timeout(name, err)
}

func (z suiteZone) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	v, err := z.fake.LookupIPAddr(ctx, host)
	return v, z.timeout(host, err)
}

func (z suiteZone) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	v, err := z.fake.LookupAddr(ctx, addr)
	return v, z.timeout(addr, err)
}

func (z suiteZone) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	v, err := z.fake.LookupA(ctx, name)
	return v, z.timeout(name, err)
}
