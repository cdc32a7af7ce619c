package loadgen

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"milter91/testdns"
)

// Zones are the DNS records a corpus needs (SPF, DKIM keys, DMARC,
// blocklist entries), as written to zones.json.
type Zones struct {
	// Blocklist is the IP blocklist zone that lists the corpus's listed
	// clients (RFC 5782 §2.1), e.g. "bl.example.test".
	Blocklist string   `json:"blocklist"`
	Records   []Record `json:"records"`
}

// Record is one resource record.
type Record struct {
	// Name is the owner name, absolute, with or without the final dot.
	Name string `json:"name"`
	// Type is the record type: "TXT", "A", or any type miekg/dns parses.
	Type string `json:"type"`
	// TTL is in seconds.
	TTL uint32 `json:"ttl"`
	// Data is the TXT text as raw bytes (longer than 255 bytes is split
	// into character-strings, RFC 1035 §3.3.14), else the RDATA in zone-file
	// presentation form (RFC 1035 §5.1), e.g. "127.0.0.2".
	Data string `json:"data"`
}

// ReadZones reads a zones.json file. It returns an error for unreadable
// or malformed JSON.
func ReadZones(path string) (*Zones, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var z Zones
	if err := json.Unmarshal(data, &z); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &z, nil
}

// TestZone builds a testdns zone with the records. It returns an error
// naming the first record that does not parse or cannot be packed.
func (z *Zones) TestZone() (*testdns.Zone, error) {
	zone := testdns.NewZone()
	for _, r := range z.Records {
		var err error
		if strings.EqualFold(r.Type, "TXT") {
			err = zone.AddTXT(r.Name, r.TTL, r.Data)
		} else {
			err = zone.Add(fmt.Sprintf("%s %d IN %s %s", dnsName(r.Name), r.TTL, r.Type, r.Data))
		}
		if err != nil {
			return nil, fmt.Errorf("record %s %s: %w", r.Name, r.Type, err)
		}
	}
	return zone, nil
}

// dnsName returns name absolute (with the final dot).
func dnsName(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + "."
}

// add appends a record.
func (z *Zones) add(name, rrtype, data string) {
	z.Records = append(z.Records, Record{Name: dnsName(name), Type: rrtype, TTL: 3600, Data: data})
}
