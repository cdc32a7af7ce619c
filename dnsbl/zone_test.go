package dnsbl_test

import (
	"strings"
	"testing"
	"time"

	"milter91/dnsbl"
)

func TestCompileNormalizes(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "ZEN.Example.TEST.", Secret: true, IPv6: true, Timeout: 2 * time.Second},
		dnsbl.ZoneConfig{Name: "bl.example.net"},
	)
	if len(zones) != 2 {
		t.Fatalf("got %d zones, want 2", len(zones))
	}
	z := zones[0]
	if z.Name() != "zen.example.test" || !z.Secret() || !z.IPv6() || z.Timeout() != 2*time.Second {
		t.Errorf("zone 0 = %q secret=%v ipv6=%v timeout=%v", z.Name(), z.Secret(), z.IPv6(), z.Timeout())
	}
	if z := zones[1]; z.Name() != "bl.example.net" || z.Secret() || z.IPv6() || z.Timeout() != 0 {
		t.Errorf("zone 1 = %q secret=%v ipv6=%v timeout=%v", z.Name(), z.Secret(), z.IPv6(), z.Timeout())
	}
}

func TestCompileAcceptsDocumentedShapes(t *testing.T) {
	// The example from the daemon configuration notes.
	_, err := dnsbl.Compile([]dnsbl.ZoneConfig{{
		Name: "bl.example.test",
		Codes: []dnsbl.CodeMap{
			{Tag: "sbl", Match: "127.0.0.2"},
			{Tag: "pbl", Match: "127.0.0.10/31"},
			{Tag: "phish", Bitmask: 8},
			{Tag: "all", Match: "127.0.0.0/8"}, // overlaps error answers: allowed
		},
		ErrorCodes: []string{"127.0.0.255", "127.0.2.0/24"},
	}})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	test := func(name string, configs []dnsbl.ZoneConfig, wants ...string) {
		t.Helper()
		zones, err := dnsbl.Compile(configs)
		if err == nil {
			t.Errorf("%s: no error, got %d zones", name, len(zones))
			return
		}
		if zones != nil {
			t.Errorf("%s: zones returned with an error", name)
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q\n does not contain %q", name, err, w)
			}
		}
	}
	zone := func(codes ...dnsbl.CodeMap) []dnsbl.ZoneConfig {
		return []dnsbl.ZoneConfig{{Name: "bl.example.test", Codes: codes}}
	}
	test("empty name", []dnsbl.ZoneConfig{{Name: "ok.example.test"}, {Name: ""}}, "dnsbl zones[1]: name: empty")
	test("bad name", []dnsbl.ZoneConfig{{Name: "bl example.test"}}, `dnsbl zone "bl example.test": name: label "bl example"`)
	test("empty label", []dnsbl.ZoneConfig{{Name: "bl..example.test"}}, `label ""`)
	test("name too long for ipv6", []dnsbl.ZoneConfig{{Name: strings.Repeat("a.", 95) + "test", IPv6: true}},
		"at most 189 fit")
	test("duplicate", []dnsbl.ZoneConfig{{Name: "bl.example.test"}, {Name: "BL.example.test."}},
		`dnsbl zone "BL.example.test.": name: duplicate zone`)
	test("negative timeout", []dnsbl.ZoneConfig{{Name: "bl.example.test", Timeout: -time.Second}},
		`dnsbl zone "bl.example.test": timeout -1s: negative`)
	test("bad CIDR", zone(dnsbl.CodeMap{Tag: "x", Match: "127.0.0.0/33"}),
		`dnsbl zone "bl.example.test": codes[0]: match "127.0.0.0/33": not an IPv4 address or CIDR`)
	test("bad address", zone(dnsbl.CodeMap{Tag: "x", Match: "127.0.0.300"}),
		`codes[0]: match "127.0.0.300": not an IPv4 address or CIDR`)
	test("host bits", zone(dnsbl.CodeMap{Tag: "x", Match: "127.0.0.11/31"}), "did you mean 127.0.0.10/31")
	test("outside 127/8", zone(dnsbl.CodeMap{Tag: "x", Match: "192.0.2.2"}), "outside 127.0.0.0/8")
	test("wider than 127/8", zone(dnsbl.CodeMap{Tag: "x", Match: "127.0.0.0/7"}), "host bits set")
	test("ipv6 match", zone(dnsbl.CodeMap{Tag: "x", Match: "::1"}), "not IPv4")
	test("error answer as listing", zone(dnsbl.CodeMap{Tag: "x", Match: "127.255.255.254"}),
		"inside error answers 127.255.255.0/24")
	test("dbl error answer as listing", zone(dnsbl.CodeMap{Tag: "x", Match: "127.0.1.255"}),
		"inside error answers 127.0.1.255/32")
	test("bitmask 0", zone(dnsbl.CodeMap{Tag: "x"}), "codes[0]: match or bitmask: one is required")
	test("bitmask 256", zone(dnsbl.CodeMap{Tag: "x", Bitmask: 256}), "codes[0]: bitmask 256: must be 1-255")
	test("bitmask negative", zone(dnsbl.CodeMap{Tag: "x", Bitmask: -1}), "bitmask -1: must be 1-255")
	test("both", zone(dnsbl.CodeMap{Tag: "x", Match: "127.0.0.2", Bitmask: 2}), "set only one")
	test("empty tag", zone(dnsbl.CodeMap{Match: "127.0.0.2"}), `codes[0]: tag "": empty`)
	test("bad tag", zone(dnsbl.CodeMap{Tag: "SBL list", Match: "127.0.0.2"}), `tag "SBL list": character 'S'`)
	test("bad error code", []dnsbl.ZoneConfig{{Name: "bl.example.test", ErrorCodes: []string{"127.0.0.255", "nope"}}},
		`dnsbl zone "bl.example.test": error_codes[1] "nope": not an IPv4 address or CIDR`)
	// Every problem at once, across fields and zones.
	test("all at once", []dnsbl.ZoneConfig{
		{Name: "a.example.test", Codes: []dnsbl.CodeMap{{Tag: "x"}, {Tag: "y", Match: "192.0.2.1"}}},
		{Name: "b.example.test", ErrorCodes: []string{"127.0.0.0/40"}},
	}, `"a.example.test": codes[0]`, `"a.example.test": codes[1]`, `"b.example.test": error_codes[0]`)
}
