package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"milter91/dnsbl"
	"milter91/internal/txn"
)

func (v *validator) dnsbl(c *Config, r *rawDNSBL) {
	c.DNSBL.PauseAfterBlocked = v.duration("$.dnsbl.pause_after_blocked", r.PauseAfterBlocked, 0, maxZoneInterval)
	c.DNSBL.HealthInterval = v.duration("$.dnsbl.health_interval", r.HealthInterval, 0, maxZoneInterval)
	c.DNSBL.MaxBodyDomains = v.count("$.dnsbl.max_body_domains", r.MaxBodyDomains, 1, maxBodyDomains)
	c.DNSBL.MaxQueries = v.count("$.dnsbl.max_queries", r.MaxQueries, 1, maxQueries)
	seen := map[string]bool{}
	for i, z := range r.Zones {
		path := fmt.Sprintf("$.dnsbl.zones[%d]", i)
		name := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(z.Name), "."))
		if _, err := netip.ParseAddr(name); name == "" || strings.ContainsAny(name, " /:@") || err == nil {
			v.fail(path+".name", "dnsbl.zones[%d].name: %q is not a DNS zone name", i, z.Name)
		}
		if seen[name] {
			v.fail(path+".name", "dnsbl.zones[%d].name: zone %q listed twice", i, name)
		}
		seen[name] = true
		zone := dnsbl.ZoneConfig{Name: name, Type: z.Type, Sources: z.Sources, FullName: z.FullName, SkipHealth: z.SkipHealth,
			Early: z.Early, Secret: z.Secret, IPv6: z.IPv6, ErrorCodes: z.ErrorCodes}
		v.zoneSources(path, i, z)
		if z.Timeout != "" {
			zone.Timeout = v.duration(path+".timeout", z.Timeout, time.Millisecond, maxDNSTimeout)
		}
		for j, code := range z.Codes {
			bitmask := v.code(fmt.Sprintf("%s.codes[%d]", path, j), code)
			zone.Codes = append(zone.Codes, dnsbl.CodeMap{Tag: code.Tag, Match: code.Match, Bitmask: bitmask, Early: code.Early})
		}
		for j, e := range z.ErrorCodes {
			if !validAddrOrPrefix(e) {
				v.fail(fmt.Sprintf("%s.error_codes[%d]", path, j), "dnsbl.zones[%d].error_codes: %q is not an address or CIDR", i, e)
			}
		}
		c.DNSBL.Zones = append(c.DNSBL.Zones, zone)
	}
}

// code checks one return-code mapping and returns its bitmask (0: none).
func (v *validator) code(path string, c rawCode) int {
	if c.Tag == "" {
		v.fail(path, "%s: tag is required", path[2:])
	}
	switch {
	case c.Match != "" && c.Bitmask != "":
		v.fail(path, "%s: give match or bitmask, not both", path[2:])
	case c.Match != "":
		if !validAddrOrPrefix(c.Match) {
			v.fail(path+".match", "%s.match: %q is not an address or CIDR", path[2:], c.Match)
		}
	case c.Bitmask == "":
		v.fail(path, "%s: need match (address or CIDR) or bitmask (1-255)", path[2:])
	default:
		return v.count(path+".bitmask", c.Bitmask, 1, maxBitmask)
	}
	return 0
}

func validAddrOrPrefix(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// zoneSources checks a zone's type and sources (dnsbl.Sources).
func (v *validator) zoneSources(path string, i int, z rawZone) {
	typ := z.Type
	if typ == "" {
		typ = dnsbl.TypeIP
	}
	valid := dnsbl.Sources(typ)
	if valid == nil {
		v.fail(path+".type", "dnsbl.zones[%d].type: %q, want %q or %q", i, z.Type, dnsbl.TypeIP, dnsbl.TypeDomain)
		return
	}
	for j, src := range z.Sources {
		if !slices.Contains(valid, src) {
			v.fail(fmt.Sprintf("%s.sources[%d]", path, j), "dnsbl.zones[%d].sources: %q, %s zones take %s", i, src, typ, strings.Join(valid, ", "))
		}
	}
	asksClient := typ == dnsbl.TypeIP && (len(z.Sources) == 0 || slices.Contains(z.Sources, dnsbl.SourceClient))
	v.early(path, fmt.Sprintf("dnsbl.zones[%d].early", i), z.Early, asksClient)
	for j, c := range z.Codes {
		v.early(fmt.Sprintf("%s.codes[%d]", path, j), fmt.Sprintf("dnsbl.zones[%d].codes[%d].early", i, j), c.Early, asksClient)
	}
	if z.IPv6 && typ != dnsbl.TypeIP {
		v.fail(path+".ipv6", "dnsbl.zones[%d].ipv6: only for type: ip", i)
	}
	if z.FullName && typ != dnsbl.TypeDomain {
		v.fail(path+".full_name", "dnsbl.zones[%d].full_name: only for type: domain", i)
	}
}

// early checks the early value of a zone or of one of its codes at path
// (what names it in the message): reject or nothing, and reject only on
// an IP zone asked about the client address.
func (v *validator) early(path, what, early string, asksClient bool) {
	switch {
	case early != "" && early != dnsbl.EarlyReject:
		v.fail(path+".early", "%s: %q, want %s or nothing", what, early, dnsbl.EarlyReject)
	case early != "" && !asksClient:
		v.fail(path+".early", "%s: reject needs an IP zone asked about the client address", what)
	}
}

// lists checks the local list entries: a unique name of txn.ListName
// syntax, a path, a kind, sources. The files are read when the engine is
// built (their errors name path:line).
func (v *validator) lists(c *Config, raw []rawList) {
	seen := map[string]bool{}
	valid := dnsbl.ListSources()
	for i, r := range raw {
		path := fmt.Sprintf("$.lists[%d]", i)
		if !txn.ListName.MatchString(r.Name) {
			v.fail(path+".name", "lists[%d].name: %q, want letters, digits, - _ . (at most 63)", i, r.Name)
		} else if seen[r.Name] {
			v.fail(path+".name", "lists[%d].name: list %q named twice", i, r.Name)
		}
		seen[r.Name] = true
		if strings.TrimSpace(r.Path) == "" {
			v.fail(path, "lists[%d]: path is required", i)
		}
		if r.Kind != "" && r.Kind != dnsbl.KindBlock && r.Kind != dnsbl.KindAllow {
			v.fail(path+".kind", "lists[%d].kind: %q, want %s or %s", i, r.Kind, dnsbl.KindBlock, dnsbl.KindAllow)
		}
		for j, src := range r.Sources {
			if !slices.Contains(valid, src) {
				v.fail(fmt.Sprintf("%s.sources[%d]", path, j), "lists[%d].sources: %q, want one of %s", i, src, strings.Join(valid, ", "))
			}
		}
		switch {
		case r.Early != "" && r.Early != dnsbl.EarlyReject:
			v.fail(path+".early", "lists[%d].early: %q, want %s or nothing", i, r.Early, dnsbl.EarlyReject)
		case r.Early != "" && (r.Kind == dnsbl.KindAllow || (len(r.Sources) > 0 && !slices.Contains(r.Sources, dnsbl.SourceClient))):
			v.fail(path+".early", "lists[%d].early: reject needs a block list matched against the client address", i)
		}
		c.Lists = append(c.Lists, dnsbl.LocalListConfig{Name: r.Name, Path: r.Path, Kind: r.Kind, Sources: r.Sources, Early: r.Early})
	}
}
