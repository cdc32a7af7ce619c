package config

import (
	"fmt"
	"net/netip"
)

// maxTrustedNetworks bounds trusted_networks.
const maxTrustedNetworks = 1000

// trusted validates trusted_networks: CIDR prefixes or single addresses
// (a /32 or /128), host bits zero.
func (v *validator) trusted(c *Config, list []string) {
	if len(list) > maxTrustedNetworks {
		v.fail("$.trusted_networks", "trusted_networks: %d entries, at most %d", len(list), maxTrustedNetworks)
		return
	}
	for i, s := range list {
		path := fmt.Sprintf("$.trusted_networks[%d]", i)
		p, err := netip.ParsePrefix(s)
		if err != nil {
			ip, err2 := netip.ParseAddr(s)
			if err2 != nil || ip.Zone() != "" {
				v.fail(path, "trusted_networks: %q is not an address or CIDR prefix", s)
				continue
			}
			p = netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())
		}
		if p.Masked() != p {
			v.fail(path, "trusted_networks: %q has host bits set (%s?)", s, p.Masked())
			continue
		}
		c.TrustedNetworks = append(c.TrustedNetworks, p)
	}
}
