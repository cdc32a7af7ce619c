package resolver

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Names the fuzz lookups ask for.
const (
	fuzzName = "fuzz.example.com"
	fuzzAddr = "127.0.0.2" // LookupAddr: 2.0.0.127.in-addr.arpa.
)

// Flags of the first input byte.
const (
	flagEchoQuestion = 1 << iota // the question section is the query's, the rest is input
	flagTCPClearTC               // the TCP answer has the TC bit cleared
)

// rawServer answers every query, over UDP and TCP on one loopback port,
// with bytes built from the current input by fuzzResponse.
type rawServer struct {
	in   atomic.Pointer[[]byte]
	addr string
}

func (s *rawServer) serve(w dns.ResponseWriter, req *dns.Msg) {
	_, udp := w.RemoteAddr().(*net.UDPAddr)
	_, _ = w.Write(fuzzResponse(*s.in.Load(), req, udp))
}

// startRawServer serves on 127.0.0.1, UDP and TCP on the same port.
func startRawServer(t testing.TB) *rawServer {
	t.Helper()
	s := &rawServer{}
	s.in.Store(new([]byte))
	var pc net.PacketConn
	var ln net.Listener
	for range 20 {
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		_ = pc.Close()
		ln = nil
	}
	if ln == nil {
		t.Fatal("no port free for both UDP and TCP")
	}
	s.addr = pc.LocalAddr().String()
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: dns.HandlerFunc(s.serve)},
		{Listener: ln, Handler: dns.HandlerFunc(s.serve)}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

// fuzzResponse builds the answer to req from in: in[0] holds the flags,
// the rest is the message, whose ID becomes the query's. With
// flagEchoQuestion the message is in's 12-byte header with QDCOUNT 1, the
// query's question, then the rest of in. A UDP answer is cut to the size
// the client reads (ednsSize, what its OPT record advertises).
func fuzzResponse(in []byte, req *dns.Msg, udp bool) []byte {
	if len(in) == 0 {
		return nil
	}
	flags, body := in[0], in[1:]
	msg := slices.Clone(body)
	if flags&flagEchoQuestion != 0 && len(req.Question) == 1 {
		hdr := make([]byte, 12)
		copy(hdr, body)
		binary.BigEndian.PutUint16(hdr[4:], 1)
		q, err := (&dns.Msg{Question: req.Question}).Pack()
		if err != nil {
			return nil
		}
		msg = append(append(hdr, q[12:]...), body[min(12, len(body)):]...)
	}
	if len(msg) >= 2 {
		binary.BigEndian.PutUint16(msg, req.Id)
	}
	if udp && len(msg) > ednsSize {
		msg = msg[:ednsSize]
	}
	if !udp && flags&flagTCPClearTC != 0 && len(msg) > 2 {
		msg[2] &^= 0x02 // TC, RFC 1035 §4.1.1
	}
	return msg
}

// fuzzView is what the client may have read for one question: the UDP
// and TCP answers that unpack.
type fuzzView struct {
	qname string
	qtype uint16
	msgs  []*dns.Msg
	udp   *dns.Msg // nil when the UDP answer does not unpack
}

func viewOf(in []byte, name string, qtype uint16) fuzzView {
	req := new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype)
	v := fuzzView{qname: req.Question[0].Name, qtype: qtype}
	for _, udp := range []bool{true, false} {
		m := new(dns.Msg)
		if m.Unpack(fuzzResponse(in, req, udp)) != nil {
			continue
		}
		v.msgs = append(v.msgs, m)
		if udp {
			v.udp = m
		}
	}
	return v
}

// records returns the answer records of type qtype owned by the question
// name or a name that a CNAME in the same answer points to (a superset of
// the chain the resolver may follow).
func (v fuzzView) records(qtype uint16) []dns.RR {
	var out []dns.RR
	for _, m := range v.msgs {
		names := map[string]bool{strings.ToLower(v.qname): true}
		for range len(m.Answer) {
			for _, rr := range m.Answer {
				if cn, ok := rr.(*dns.CNAME); ok && names[strings.ToLower(cn.Hdr.Name)] {
					names[strings.ToLower(cn.Target)] = true
				}
			}
		}
		for _, rr := range m.Answer {
			if rr.Header().Rrtype == qtype && names[strings.ToLower(rr.Header().Name)] {
				out = append(out, rr)
			}
		}
	}
	return out
}

// mustAnswer reports whether a plain UDP answer (no TC, NOERROR, the
// question repeated) holds a usable record (an A or AAAA with an address)
// of the asked type for the asked name itself: the lookup must then
// succeed.
func (v fuzzView) mustAnswer() bool {
	m := v.udp
	if m == nil || m.Truncated || m.Rcode != dns.RcodeSuccess || len(m.Question) != 1 ||
		m.Question[0].Qtype != v.qtype || !strings.EqualFold(m.Question[0].Name, v.qname) {
		return false
	}
	for _, rr := range m.Answer {
		h := rr.Header()
		usable := true
		switch a := rr.(type) {
		case *dns.A:
			usable = a.A.To4() != nil
		case *dns.AAAA:
			usable = len(a.AAAA) == net.IPv6len
		}
		if usable && h.Rrtype == v.qtype && h.Class == dns.ClassINET && strings.EqualFold(h.Name, v.qname) {
			return true
		}
	}
	return false
}

// wireTXT returns a TXT record's character-strings concatenated, read
// from the record packed back to wire format (RFC 1035 §3.3.14), so that
// the escapes of miekg/dns's text form are undone by its packer, not by
// the code under test.
func wireTXT(t *testing.T, rr dns.RR) string {
	buf := make([]byte, 1<<16)
	end, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		t.Fatalf("repack %v: %v", rr, err)
	}
	nameLen, err := dns.PackDomainName(rr.Header().Name, make([]byte, 256), 0, nil, false)
	if err != nil {
		t.Fatalf("repack name %q: %v", rr.Header().Name, err)
	}
	var b strings.Builder
	for rd := buf[nameLen+10 : end]; len(rd) > 0; rd = rd[min(len(rd), 1+int(rd[0])):] {
		b.Write(rd[1:min(len(rd), 1+int(rd[0]))])
	}
	return b.String()
}

// fuzzLookups runs every lookup kind once; each entry is the result or
// the error, printed, so that a cached round can be compared.
func fuzzLookups(t *testing.T, c *Client, in []byte) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []string
	txt, err := c.LookupTXT(ctx, fuzzName)
	out = append(out, checkLookup(t, "TXT", fuzzName, err, viewOf(in, fuzzName, dns.TypeTXT), txt, func(s string, rr dns.RR) bool {
		return s == wireTXT(t, rr)
	}))
	mx, err := c.LookupMX(ctx, fuzzName)
	if !slices.IsSortedFunc(mx, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) }) {
		t.Fatalf("MX not sorted by preference: %v", mx)
	}
	mxs := make([]net.MX, len(mx)) // values, so that the rounds compare by content
	for i, m := range mx {
		mxs[i] = *m
	}
	out = append(out, checkLookup(t, "MX", fuzzName, err, viewOf(in, fuzzName, dns.TypeMX), mxs, func(m net.MX, rr dns.RR) bool {
		return rr.(*dns.MX).Mx == m.Host && rr.(*dns.MX).Preference == m.Pref
	}))
	a, err := c.LookupA(ctx, fuzzName)
	out = append(out, checkLookup(t, "A", fuzzName, err, viewOf(in, fuzzName, dns.TypeA), a, func(ip netip.Addr, rr dns.RR) bool {
		want, ok := netip.AddrFromSlice(rr.(*dns.A).A.To4())
		return ok && ip.Is4() && ip == want
	}))
	ips, err := c.LookupIPAddr(ctx, fuzzName)
	out = append(out, checkIPAddr(t, err, in, ips))
	ptr, err := c.LookupAddr(ctx, fuzzAddr)
	arpa, _ := dns.ReverseAddr(fuzzAddr)
	out = append(out, checkLookup(t, "PTR", fuzzAddr, err, viewOf(in, arpa, dns.TypePTR), ptr, func(s string, rr dns.RR) bool {
		return rr.(*dns.PTR).Ptr == s
	}))
	return out
}

// checkLookup asserts a sane lookup outcome: an error is a *net.DNSError
// for the asked name that is either not-found or temporary, never a
// timeout (the server always answers at once), and not-found needs an
// NXDOMAIN or NOERROR answer; every result comes from a record of the
// asked type (match) for the asked name or its CNAME targets.
func checkLookup[T any](t *testing.T, kind, asked string, err error, v fuzzView, got []T, match func(T, dns.RR) bool) string {
	t.Helper()
	if err != nil {
		if v.mustAnswer() {
			t.Fatalf("%s: %v, but the answer %v holds the record", kind, err, v.udp)
		}
		checkError(t, kind, asked, err, v.msgs, false)
		return kind + " error: " + errorKind(err)
	}
	if len(got) == 0 {
		t.Fatalf("%s: no records and no error", kind)
	}
	recs := v.records(v.qtype)
	for _, g := range got {
		if !slices.ContainsFunc(recs, func(rr dns.RR) bool { return match(g, rr) }) {
			t.Fatalf("%s: result %v is not a %s record of %s in the answer %v", kind, g, kind, v.qname, v.msgs)
		}
	}
	return fmt.Sprint(kind, " ", got)
}

// errorKind is what two rounds of the same lookup must agree on: a
// temporary error is not cached and its text can change with the
// query's random ID (a parse error at another offset).
func errorKind(err error) string {
	if IsTemporary(err) {
		return "temporary"
	}
	return err.Error()
}

// checkError asserts the error of a lookup of asked (see checkLookup);
// must: an answer in msgs has a record, so the error may not be not-found.
func checkError(t *testing.T, kind, asked string, err error, msgs []*dns.Msg, must bool) {
	t.Helper()
	var de *net.DNSError
	switch {
	case !errors.As(err, &de) || de.Name != asked:
		t.Fatalf("%s: error %T %v, want a *net.DNSError for %q", kind, err, err, asked)
	case de.IsTimeout:
		t.Fatalf("%s: %v: the server answered every query at once", kind, err)
	case de.IsNotFound == de.IsTemporary:
		t.Fatalf("%s: %v: not-found %v, temporary %v; want exactly one", kind, err, de.IsNotFound, de.IsTemporary)
	case de.IsNotFound && must:
		t.Fatalf("%s: %v, but an answer in %v holds a record", kind, err, msgs)
	case de.IsNotFound && !slices.ContainsFunc(msgs, func(m *dns.Msg) bool {
		return m.Rcode == dns.RcodeSuccess || m.Rcode == dns.RcodeNameError
	}):
		t.Fatalf("%s: not found, but no answer %v says NXDOMAIN or NOERROR", kind, msgs)
	}
}

// checkIPAddr: A and AAAA addresses, each from a record of its type.
func checkIPAddr(t *testing.T, err error, in []byte, ips []net.IPAddr) string {
	t.Helper()
	a, aaaa := viewOf(in, fuzzName, dns.TypeA), viewOf(in, fuzzName, dns.TypeAAAA)
	if err != nil {
		// A temporary failure of either type is the answer even when the
		// other type has addresses.
		checkError(t, "A+AAAA", fuzzName, err, slices.Concat(a.msgs, aaaa.msgs), a.mustAnswer() || aaaa.mustAnswer())
		return "A+AAAA error: " + errorKind(err)
	}
	recs := append(a.records(dns.TypeA), aaaa.records(dns.TypeAAAA)...)
	for _, ip := range ips {
		if !slices.ContainsFunc(recs, func(rr dns.RR) bool {
			switch v := rr.(type) {
			case *dns.A:
				return len(ip.IP) == 4 && ip.IP.Equal(v.A)
			case *dns.AAAA:
				return len(ip.IP) == 16 && ip.IP.Equal(v.AAAA)
			}
			return false
		}) {
			t.Fatalf("A+AAAA: %v is not in the answers %v %v", ip, a.msgs, aaaa.msgs)
		}
	}
	return fmt.Sprint("A+AAAA ", ips)
}

// checkCache: only final results (an answer, NXDOMAIN or NODATA) are
// cached, for at most MaxTTL and at most the largest TTL the answer
// carries (records, SOA) or NegativeTTL.
func checkCache(t *testing.T, c *Client, now time.Time, in []byte) {
	t.Helper()
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	for key, el := range c.cache.items {
		e := el.Value.(*cacheEntry)
		if e.res.ans == nil && !e.res.notFound {
			t.Fatalf("%v: temporary failure %q cached", key, e.res.reason)
		}
		limit := DefaultNegativeTTL
		for _, m := range viewOf(in, key.name, key.qtype).msgs {
			for _, rr := range slices.Concat(m.Answer, m.Ns) {
				limit = max(limit, time.Duration(rr.Header().Ttl)*time.Second)
			}
		}
		if ttl := e.expires.Sub(now); ttl <= 0 || ttl > min(limit, DefaultMaxTTL) {
			t.Fatalf("%v cached for %v, want (0, %v]", key, ttl, min(limit, DefaultMaxTTL))
		}
	}
}

// FuzzAnswer fuzzes the whole response path of Client (exchange over UDP
// with the TCP retry of a truncated answer, the question check, rcode
// classification, CNAME chasing, record extraction, the cache) with
// arbitrary answers from a loopback server; see fuzzResponse for the
// input's shape. Every lookup kind runs twice: the second round must come
// from the cache and equal the first.
func FuzzAnswer(f *testing.F) {
	srv := startRawServer(f)
	clk := newClock()
	f.Fuzz(func(t *testing.T, in []byte) {
		srv.in.Store(&in)
		c := client(t, Config{Servers: []string{srv.addr}, Timeout: 2 * time.Second, Now: clk.Now})
		first := fuzzLookups(t, c, in)
		checkCache(t, c, clk.Now(), in)
		_, hits := c.Stats()
		if again := fuzzLookups(t, c, in); !reflect.DeepEqual(again, first) {
			t.Fatalf("second round differs:\n%q\n%q", first, again)
		}
		if _, h := c.Stats(); h-hits < int64(c.cache.len()) {
			t.Fatalf("%d cache hits in the second round, want one per cached entry (%d) at least", h-hits, c.cache.len())
		}
	})
}
