package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"milter91/internal/fileerr"
	"milter91/internal/testdns"
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

// ReadZones reads a zones.json file (docs/bench-zones.md). Bad JSON, an
// unknown key, a wrong type or data after the object is an error at
// path:line:col (a fileerr.Error: the line and column of the last byte
// the JSON decoder read); so is a panic while reading (Internal, at 1:1).
func ReadZones(path string) (z *Zones, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defer fileerr.Recover(path, "zones.json reader", &err)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	z = &Zones{}
	err = dec.Decode(z)
	off := dec.InputOffset() // after the value read last
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
		off += int64(len(data[off:])-len(bytes.TrimLeft(data[off:], " \t\r\n"))) + 1
	}
	if err != nil {
		line, col := lineCol(data, jsonOffset(data, err, off))
		return nil, fileerr.Error{File: path, Line: line, Col: col, Msg: strings.TrimPrefix(err.Error(), "json: ")}
	}
	return z, nil
}

// unknownField is encoding/json's error for a key DisallowUnknownFields
// refuses.
var unknownField = regexp.MustCompile(`^json: unknown field ("(?:[^"\\]|\\.)*")$`)

// jsonOffset is the 0-based offset in data that err is about: a refused
// key's own position, else the last byte the decoder read (the offset the
// error carries, or off).
func jsonOffset(data []byte, err error, off int64) int {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	end := int(min(max(off, 0), int64(len(data))))
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		if i := bytes.LastIndex(data[:end], []byte(m[1])); i >= 0 {
			return i
		}
	}
	return max(end-1, 0)
}

// lineCol is the 1-based line and column of the byte at off.
func lineCol(data []byte, off int) (line, col int) {
	before := data[:off]
	return bytes.Count(before, []byte("\n")) + 1, off - bytes.LastIndexByte(before, '\n')
}

// TestZone builds a testdns zone with the records. It returns an error
// naming the first record ("records[3] (example.com. MX): …") that lacks
// a name or type, does not parse or cannot be packed.
func (z *Zones) TestZone() (*testdns.Zone, error) {
	zone := testdns.NewZone()
	for i, r := range z.Records {
		var err error
		switch {
		case strings.TrimSpace(r.Name) == "" || strings.TrimSpace(r.Type) == "":
			err = errors.New("name and type are required")
		case strings.EqualFold(r.Type, "TXT"):
			err = zone.AddTXT(r.Name, r.TTL, r.Data)
		default:
			err = zone.Add(fmt.Sprintf("%s %d IN %s %s", dnsName(r.Name), r.TTL, r.Type, r.Data))
		}
		if err != nil {
			return nil, fmt.Errorf("records[%d] (%s %s): %w", i, r.Name, r.Type, err)
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
