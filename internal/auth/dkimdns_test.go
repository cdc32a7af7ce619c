package auth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"milter91/internal/resolver"
)

// newFake returns an empty resolver.Fake with all maps made.
func newFake() *resolver.Fake {
	return &resolver.Fake{TXT: map[string][]string{}, A: map[string][]netip.Addr{},
		AAAA: map[string][]netip.Addr{}, MX: map[string][]*net.MX{},
		PTR: map[string][]string{}, Errors: map[string]error{}}
}

// loadFakeDNSDat reads mail-dkim's FAKE_DNS.dat ("name value" lines; value
// NXDOMAIN, ~~Query timed out~~ or ~~SERVFAIL~~ for errors, "" for an empty
// TXT string) into a Fake.
func loadFakeDNSDat(t *testing.T, path string) *resolver.Fake {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fake := newFake()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, _ := strings.Cut(line, " ")
		value = strings.TrimSpace(value)
		switch value {
		case "NXDOMAIN":
			fake.Errors[name] = resolver.NotFound(name)
		case "~~Query timed out~~":
			fake.Errors[name] = resolver.Temporary(name, "i/o timeout", true)
		case "~~SERVFAIL~~":
			fake.Errors[name] = resolver.Temporary(name, "SERVFAIL", false)
		case `""`:
			fake.TXT[name] = append(fake.TXT[name], "")
		default:
			fake.TXT[name] = append(fake.TXT[name], value)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return fake
}

// rspamdRecord is one entry of dmarc/rspamd/fake-dns.json.
type rspamdRecord struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Replies []string `json:"replies"`
	Rcode   string   `json:"rcode"` // norec, nxdomain, timeout
}

// loadRspamdDNS reads fake-dns.json into a Fake. "timeout" becomes
// resolver.Temporary for the name; norec and nxdomain are left out, which
// the Fake answers NotFound. MX replies are "pref host".
func loadRspamdDNS(t *testing.T, path string) *resolver.Fake {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []rspamdRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	fake := newFake()
	for _, r := range recs {
		if r.Rcode == "timeout" {
			fake.Errors[r.Name] = resolver.Temporary(r.Name, "i/o timeout", true)
			continue
		}
		for _, v := range r.Replies {
			addRspamdReply(fake, r.Name, r.Type, v)
		}
	}
	return fake
}

func addRspamdReply(fake *resolver.Fake, name, typ, v string) {
	switch typ {
	case "TXT":
		fake.TXT[name] = append(fake.TXT[name], v)
	case "A":
		if a, err := netip.ParseAddr(v); err == nil {
			fake.A[name] = append(fake.A[name], a)
		}
	case "AAAA":
		if a, err := netip.ParseAddr(v); err == nil {
			fake.AAAA[name] = append(fake.AAAA[name], a)
		}
	case "PTR":
		if ip, ok := reverseName(name); ok {
			fake.PTR[ip.String()] = append(fake.PTR[ip.String()], v)
		}
	case "MX":
		var mx net.MX
		if _, err := fmt.Sscan(v, &mx.Pref, &mx.Host); err == nil {
			fake.MX[name] = append(fake.MX[name], &mx)
		}
	}
}
