package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

func (v *validator) dnsbl(c *Config, r *rawDNSBL) {
	c.DNSBL.PauseAfterBlocked = v.duration("$.dnsbl.pause_after_blocked", r.PauseAfterBlocked, 0)
	seen := map[string]bool{}
	for i, z := range r.Zones {
		path := fmt.Sprintf("$.dnsbl.zones[%d]", i)
		name := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(z.Name), "."))
		if name == "" || strings.ContainsAny(name, " /:@") {
			v.fail(path+".name", "dnsbl.zones[%d].name: %q is not a DNS zone name", i, z.Name)
		}
		if seen[name] {
			v.fail(path+".name", "dnsbl.zones[%d].name: zone %q listed twice", i, name)
		}
		seen[name] = true
		zone := Zone{Name: name, Secret: z.Secret, IPv6: z.IPv6, ErrorCodes: z.ErrorCodes}
		if z.Timeout != "" {
			zone.Timeout = v.duration(path+".timeout", z.Timeout, time.Millisecond)
		}
		for j, code := range z.Codes {
			v.code(fmt.Sprintf("%s.codes[%d]", path, j), code)
			zone.Codes = append(zone.Codes, Code{Tag: code.Tag, Match: code.Match, Bitmask: code.Bitmask})
		}
		for j, e := range z.ErrorCodes {
			if !validAddrOrPrefix(e) {
				v.fail(fmt.Sprintf("%s.error_codes[%d]", path, j), "dnsbl.zones[%d].error_codes: %q is not an address or CIDR", i, e)
			}
		}
		c.DNSBL.Zones = append(c.DNSBL.Zones, zone)
	}
}

func (v *validator) code(path string, c rawCode) {
	if c.Tag == "" {
		v.fail(path, "%s: tag is required", path[2:])
	}
	switch {
	case c.Match != "" && c.Bitmask != 0:
		v.fail(path, "%s: give match or bitmask, not both", path[2:])
	case c.Match != "":
		if !validAddrOrPrefix(c.Match) {
			v.fail(path+".match", "%s.match: %q is not an address or CIDR", path[2:], c.Match)
		}
	case c.Bitmask < 1 || c.Bitmask > 255:
		v.fail(path, "%s: need match (address or CIDR) or bitmask (1-255)", path[2:])
	}
}

func validAddrOrPrefix(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}
