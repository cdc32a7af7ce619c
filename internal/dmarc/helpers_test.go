package dmarc

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"

	"milter91/internal/resolver"
)

// recorder is a resolver.Fake that remembers the names asked, in order.
type recorder struct {
	resolver.Fake
	mu    sync.Mutex
	names []string
}

func (r *recorder) note(name string) {
	r.mu.Lock()
	r.names = append(r.names, strings.ToLower(name))
	r.mu.Unlock()
}

func (r *recorder) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.note(name)
	return r.Fake.LookupTXT(ctx, name)
}

func (r *recorder) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	r.note("MX " + name)
	return r.Fake.LookupMX(ctx, name)
}

func (r *recorder) LookupIPAddr(ctx context.Context, name string) ([]net.IPAddr, error) {
	r.note("IP " + name)
	return r.Fake.LookupIPAddr(ctx, name)
}

func (r *recorder) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	return r.Fake.LookupA(ctx, name)
}

// zone returns a recorder serving TXT records: name → record.
func zone(txt map[string]string) *recorder {
	r := &recorder{Fake: resolver.Fake{TXT: map[string][]string{}, Errors: map[string]error{}}}
	for n, v := range txt {
		r.TXT[n] = append(r.TXT[n], v)
	}
	return r
}

// timeout makes every lookup of name fail with a timeout.
func (r *recorder) timeout(name string) *recorder {
	r.Errors[name] = resolver.Temporary(name, "i/o timeout", true)
	return r
}

func pass(d string) Identifier { return Identifier{Domain: d, Result: ResultPass} }
