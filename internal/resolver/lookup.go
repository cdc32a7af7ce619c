package resolver

import (
	"context"
	"net"
	"net/netip"
	"slices"

	"github.com/miekg/dns"
)

// LookupTXT implements Resolver: one string per TXT record, its
// character-strings concatenated without separator (RFC 7208 §3.3), as raw
// bytes. Errors: NotFound for NXDOMAIN/NODATA, Temporary otherwise.
func (c *Client) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r := c.resolve(ctx, name, dns.TypeTXT)
	if r.ans == nil {
		return nil, r.err(name)
	}
	return slices.Clone(r.ans.strs), nil
}

// LookupMX implements Resolver: the MX records of name sorted by preference
// (stable), hosts as absolute names ("mx.example.com.").
func (c *Client) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	r := c.resolve(ctx, name, dns.TypeMX)
	if r.ans == nil {
		return nil, r.err(name)
	}
	return r.ans.copyMX(), nil
}

// LookupA implements Resolver: the IPv4 addresses of name's A records, in
// answer order (DNSBL queries, RFC 5782 §2.1).
func (c *Client) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	r := c.resolve(ctx, name, dns.TypeA)
	if r.ans == nil {
		return nil, r.err(name)
	}
	return slices.Clone(r.ans.addrs), nil
}

// LookupIPAddr implements Resolver: A then AAAA addresses of host, queried
// in parallel. Like Fake, a temporary error on either type is returned as
// is; NotFound only when neither type has an address.
func (c *Client) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	var v6 result
	done := make(chan struct{})
	go func() {
		defer close(done)
		v6 = c.resolve(ctx, host, dns.TypeAAAA)
	}()
	v4 := c.resolve(ctx, host, dns.TypeA)
	<-done
	var out []net.IPAddr
	for _, r := range []result{v4, v6} {
		if r.ans == nil {
			if !r.notFound {
				return nil, r.err(host)
			}
			continue
		}
		for _, a := range r.ans.addrs {
			out = append(out, net.IPAddr{IP: a.AsSlice()})
		}
	}
	if len(out) == 0 {
		return nil, NotFound(host)
	}
	return out, nil
}

// LookupAddr implements Resolver: the PTR names (absolute, "host.example.")
// of addr, an IPv4 or IPv6 literal, via in-addr.arpa / ip6.arpa
// (RFC 1035 §3.5, RFC 3596 §2.5). A bad literal gives a *net.DNSError that
// is neither temporary nor not-found.
func (c *Client) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	arpa, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	r := c.resolve(ctx, arpa, dns.TypePTR)
	if r.ans == nil {
		return nil, r.err(addr)
	}
	return slices.Clone(r.ans.strs), nil
}
