package loadgen

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Corpus size bounds: every generated .eml is within [MinSize, MaxSize].
const (
	MinSize = 2 * 1024
	MaxSize = 2 * 1024 * 1024
)

// BlocklistZone is the test IP blocklist that lists the corpus's "listed"
// clients with 127.0.0.2 (RFC 5782 §2.1).
const BlocklistZone = "bl.example.test"

// sigEstimate is about the size of the DKIM-Signature field, for aiming
// at a total size.
const sigEstimate = 580

// CorpusOptions control Generate.
type CorpusOptions struct {
	Dir      string    // output directory, created when missing
	Messages int       // number of messages, ≥ 1
	Seed     uint64    // same seed, same corpus, byte for byte except DKIM-Signature t= and b=
	Start    time.Time // Date of the first message; each next one is 37 s later
}

// senderDomain is a sending domain and the DNS it publishes.
type senderDomain struct {
	name  string
	spf   string // expected SPF result for a loopback client
	rec   string // SPF record; "" = none
	dmarc string // DMARC record; "" = none
	signs bool   // signs its mail with the corpus key
	ads   bool   // sends Decree 91 advertising
}

// senderDomains: SPF passes for 127.0.0.0/8 or fails (192.0.2.0/24 is
// TEST-NET-1, RFC 5737), with and without DMARC.
var senderDomains = []senderDomain{
	{name: "example.com", spf: "pass", rec: "v=spf1 ip4:127.0.0.0/8 -all", dmarc: "v=DMARC1; p=reject", signs: true},
	{name: "example.org", spf: "pass", rec: "v=spf1 ip4:127.0.0.0/8 ~all", dmarc: "v=DMARC1; p=none"},
	{name: "mail.example.test", spf: "fail", rec: "v=spf1 ip4:192.0.2.0/24 -all", dmarc: "v=DMARC1; p=reject"},
	{name: "soft.example.test", spf: "softfail", rec: "v=spf1 ip4:192.0.2.0/24 ~all", dmarc: "v=DMARC1; p=none"},
	{name: "nospf.example.test", spf: "none"},
	{name: "shop.example.com", spf: "pass", rec: "v=spf1 ip4:127.0.0.0/8 -all", signs: true, ads: true},
	{name: "news.example.org", spf: "pass", rec: "v=spf1 ip4:127.0.0.0/8 -all", dmarc: "v=DMARC1; p=none", signs: true, ads: true},
	{name: "promo.example.test", spf: "fail", rec: "v=spf1 ip4:192.0.2.0/24 -all", dmarc: "v=DMARC1; p=none", signs: true, ads: true},
}

// localDomain is the receiving site; its users submit with SMTP AUTH.
var localDomain = senderDomain{name: "example.net", spf: "pass", rec: "v=spf1 ip4:127.0.0.0/8 -all", dmarc: "v=DMARC1; p=none"}

// generator holds the state of one Generate call.
type generator struct {
	opts   CorpusOptions
	rng    *rand.Rand
	key    *rsa.PrivateKey
	man    Manifest
	zones  Zones
	listed map[string]bool
}

// Generate writes opts.Messages .eml files, manifest.json and zones.json
// to opts.Dir and returns the manifest. The mix: about 10 % of sessions
// authenticated submissions, 25 % advertising senders (Decree 91 ads,
// labelled or not), the rest ordinary and transactional mail; 6 % of the
// unauthenticated clients listed in BlocklistZone; sizes from MinSize to
// MaxSize, median about 8 KiB. Only loopback clients and reserved names.
// A seed gives the same bytes on every run except the t= and b= tags of
// the DKIM-Signature fields: go-msgauth stamps t= with the signing time.
// It returns an error for bad options or a failed write.
func Generate(opts CorpusOptions) (*Manifest, error) {
	if opts.Messages < 1 {
		return nil, errors.New("loadgen: corpus needs at least one message")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	key, err := corpusKey()
	if err != nil {
		return nil, err
	}
	g := &generator{
		opts: opts, key: key, listed: map[string]bool{},
		rng:   rand.New(rand.NewPCG(opts.Seed, 0x6d696c7465723931)),
		man:   Manifest{Version: manifestVersion, Seed: opts.Seed},
		zones: Zones{Blocklist: BlocklistZone},
	}
	if err := g.domainRecords(); err != nil {
		return nil, err
	}
	for len(g.man.Messages) < opts.Messages {
		if err := g.session(); err != nil {
			return nil, err
		}
	}
	if err := writeJSON(filepath.Join(opts.Dir, ZonesFile), &g.zones); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(opts.Dir, ManifestFile), &g.man); err != nil {
		return nil, err
	}
	return &g.man, nil
}

// domainRecords adds the records of every domain; the blocklist entries
// are added as clients get listed.
func (g *generator) domainRecords() error {
	rec, err := dkimRecord(g.key)
	if err != nil {
		return err
	}
	g.zones.add("2.0.0.127."+BlocklistZone, "A", "127.0.0.2") // RFC 5782 §5 test entry
	for _, d := range append([]senderDomain{localDomain}, senderDomains...) {
		if d.rec != "" {
			g.zones.add(d.name, "TXT", d.rec)
		}
		if d.dmarc != "" {
			g.zones.add("_dmarc."+d.name, "TXT", d.dmarc)
		}
		if d.signs {
			g.zones.add(dkimSelector+"._domainkey."+d.name, "TXT", rec)
		}
	}
	return nil
}

// session generates the messages of one SMTP session.
func (g *generator) session() error {
	r := g.rng.Float64()
	var dom senderDomain
	var conn Conn
	count := 1 + g.rng.IntN(3)
	switch {
	case r < 0.10:
		dom = localDomain
		n := 1 + g.rng.IntN(500)
		conn = Conn{ClientIP: g.cleanIP(), Helo: fmt.Sprintf("laptop-%d.example.net", n), AuthUser: fmt.Sprintf("user%d", n)}
	case r < 0.35:
		dom = pick(g.rng, senderDomains, true)
		conn = Conn{ClientIP: g.clientIP(), Helo: "mta." + dom.name}
		count = 1 + g.rng.IntN(6)
	default:
		dom = pick(g.rng, senderDomains, false)
		conn = Conn{ClientIP: g.clientIP(), Helo: "mail." + dom.name}
	}
	for range count {
		if len(g.man.Messages) == g.opts.Messages {
			break
		}
		if err := g.message(dom, conn); err != nil {
			return err
		}
	}
	return nil
}

// pick returns a random sender domain that sends ads or not.
func pick(rng *rand.Rand, domains []senderDomain, ads bool) senderDomain {
	var c []senderDomain
	for _, d := range domains {
		if d.ads == ads {
			c = append(c, d)
		}
	}
	return c[rng.IntN(len(c))]
}

// clientIP returns a client address: listed in BlocklistZone (6 %,
// 127.0.2.0/24) or clean (127.0.0.10–127.0.1.250).
func (g *generator) clientIP() string {
	if g.rng.Float64() >= 0.06 {
		return g.cleanIP()
	}
	ip := fmt.Sprintf("127.0.2.%d", 10+g.rng.IntN(240))
	if !g.listed[ip] {
		g.listed[ip] = true
		a := netip.MustParseAddr(ip).As4()
		g.zones.add(fmt.Sprintf("%d.%d.%d.%d.%s", a[3], a[2], a[1], a[0], BlocklistZone), "A", "127.0.0.2")
	}
	return ip
}

func (g *generator) cleanIP() string {
	return fmt.Sprintf("127.0.%d.%d", g.rng.IntN(2), 10+g.rng.IntN(240))
}

// message generates, signs and writes one message of the session.
func (g *generator) message(dom senderDomain, conn Conn) error {
	seq := len(g.man.Messages) + 1
	s := msgSpec{
		kind: messageKind(g.rng, dom, conn), seq: seq,
		date: g.opts.Start.Add(time.Duration(seq-1) * 37 * time.Second),
		vi:   g.rng.Float64() < 0.4, html: g.rng.Float64() < 0.3,
	}
	s.from, s.fromName = senderOf(g.rng, dom, conn)
	s.to = g.recipients(conn)
	s.msgID = fmt.Sprintf("%d.%d.lg@%s", seq, g.opts.Seed, dom.name)
	signed := dom.signs && g.rng.Float64() < 0.9
	head := len(render(headerFields(s), nil)) + 60
	if signed {
		head += sigEstimate
	}
	s.bodySize = max(200, messageSize(g.rng)-head)
	fields, body := compose(g.rng, s)
	e := Entry{File: fmt.Sprintf("m%05d.eml", seq), Conn: conn, MailFrom: s.from, Rcpts: s.to,
		EightBit: s.vi || isAd(s.kind), Kind: s.kind, SPF: dom.spf, DKIM: "none", Listed: g.listed[conn.ClientIP]}
	if signed {
		sig, err := dkimSign(g.key, dom.name, fields, body)
		if err != nil {
			return err
		}
		fields = append([]field{sig}, fields...)
		e.DKIM = "pass"
		if g.rng.Float64() < 0.05 { // altered in transit: the body hash fails
			body = []byte(strings.Replace(string(body), "\r\n\r\n", "\r\n\r\n(đã chỉnh sửa)\r\n", 1))
			e.DKIM = "fail"
		}
	}
	data := render(fields, body)
	e.Size = len(data)
	g.man.Messages = append(g.man.Messages, e)
	return os.WriteFile(filepath.Join(g.opts.Dir, e.File), data, 0o644)
}

// messageKind picks what a message is about.
func messageKind(rng *rand.Rand, dom senderDomain, conn Conn) string {
	r := rng.Float64()
	switch {
	case dom.ads && r < 0.7, conn.AuthUser != "" && r < 0.2:
		return KindAd
	case dom.ads && r < 0.9:
		return KindAdUnlabelled
	case dom.ads:
		return KindAdIncomplete
	case r < 0.2:
		return KindTransactional
	}
	return KindPlain
}

// senderOf returns the envelope and From address and the display name.
func senderOf(rng *rand.Rand, dom senderDomain, conn Conn) (addr, name string) {
	switch {
	case conn.AuthUser != "":
		return conn.AuthUser + "@" + dom.name, "Người dùng " + conn.AuthUser
	case dom.ads:
		return "khuyenmai@" + dom.name, "Cửa Hàng Ví Dụ"
	}
	n := rng.IntN(50)
	return fmt.Sprintf("staff%d@%s", n, dom.name), fmt.Sprintf("Staff %d", n)
}

// recipients returns 1 (80 %) to 5 recipients: local users, or external
// addresses for a submission.
func (g *generator) recipients(conn Conn) []string {
	n := 1
	if g.rng.Float64() < 0.2 {
		n = 2 + g.rng.IntN(4)
	}
	out := make([]string, n)
	for i := range out {
		if conn.AuthUser != "" {
			out[i] = fmt.Sprintf("contact%d@example.org", g.rng.IntN(1000))
		} else {
			out[i] = fmt.Sprintf("user%d@example.net", 1+g.rng.IntN(500))
		}
	}
	return out
}

// messageSize draws a total size: 98 % log-normal around 8 KiB, 2 %
// log-uniform from 256 KiB to MaxSize (attachments); within the bounds.
func messageSize(rng *rand.Rand) int {
	var v float64
	if rng.Float64() < 0.02 {
		v = 256 * 1024 * math.Exp(rng.Float64()*math.Log(8))
	} else {
		v = 8 * 1024 * math.Exp(rng.NormFloat64()*0.9)
	}
	return int(min(max(v, MinSize+1024), MaxSize-16*1024))
}
