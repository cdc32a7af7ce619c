package dnsbl

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// Lookup asks zones about one target, whatever their sources: an IP
// address in every IP zone (IPv6 in IPv6 zones only), a domain in every
// domain zone (trimmed to its organizational domain unless the zone wants
// full names). only, when not "", restricts the lookup to the zone of that
// name. Paused and disabled zones answer as in Check. It is the lookup of
// `milter91 dnsbl check`; facts come back in zone order, Sources empty.
// A target that is neither an IP address nor a domain name of two or more
// labels is an error.
func (c *Checker) Lookup(ctx context.Context, r resolver.Resolver, target, only string) ([]txn.DNSBL, error) {
	only = strings.ToLower(strings.TrimSuffix(only, "."))
	var zones []*Zone
	for _, z := range c.zones {
		if only == "" || z.name == only {
			zones = append(zones, z)
		}
	}
	p := planner{zones: zones, limit: -1, anySource: true}
	if ip, err := netip.ParseAddr(strings.Trim(target, "[]")); err == nil {
		p.addIP(ip, "")
	} else if d := normTarget(target); d != "" {
		p.addDomain(d, "", false)
	} else {
		return nil, fmt.Errorf("%q: not an IP address or a domain name of two or more labels", target)
	}
	for i := range p.jobs {
		p.jobs[i].index = c.indexOf(p.jobs[i].zone)
		p.jobs[i].sources = nil
	}
	return c.run(ctx, r, p.jobs), nil
}

// indexOf returns the position of z among the Checker's zones.
func (c *Checker) indexOf(z *Zone) int {
	for i, cz := range c.zones {
		if cz == z {
			return i
		}
	}
	return -1
}

// Zones returns the Checker's zones, in configuration order.
func (c *Checker) Zones() []*Zone { return append([]*Zone(nil), c.zones...) }
