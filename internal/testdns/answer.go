package testdns

import (
	"time"

	"github.com/miekg/dns"
)

// Synthetic SOA for negative answers when the zone has none: RFC 2308 §5
// lets a resolver cache the negative answer for min(SOA TTL, MINIMUM).
const syntheticNegTTL = 60

// maxChain bounds CNAME following so that a long chain cannot stall a query.
const maxChain = 16

// reply is what the server does with one query: send msg after delay, or,
// when msg is nil, wait delay and stay silent.
type reply struct {
	msg   *dns.Msg
	delay time.Duration
}

// respond builds the answer to req; udp selects truncation to the client's
// buffer size (512 bytes, or its EDNS0 size; RFC 6891 §6.2.3).
func (z *Zone) respond(req *dns.Msg, udp bool) reply {
	resp := new(dns.Msg)
	if len(req.Question) != 1 || req.Opcode != dns.OpcodeQuery {
		return reply{msg: resp.SetRcodeFormatError(req)}
	}
	q := req.Question[0]
	name, err := canonical(q.Name)
	if err != nil {
		return reply{msg: resp.SetRcodeFormatError(req)}
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	r := reply{delay: z.delays[name]}
	if z.timeouts[question{name: name, qtype: q.Qtype}] || z.timeouts[question{name: name, qtype: dns.TypeANY}] {
		return r
	}
	resp.SetReply(req)
	resp.Authoritative = true
	if rcode, ok := z.forcedRcodeLocked(name, q.Qtype); ok {
		resp.Rcode = rcode
	} else if udp && z.truncate[name] {
		resp.Truncated = true
	} else {
		z.fillLocked(resp, name, q.Qtype)
	}
	if opt := req.IsEdns0(); opt != nil {
		resp.SetEdns0(max(opt.UDPSize(), dns.MinMsgSize), false)
	}
	if udp {
		resp.Truncate(udpLimit(req))
	}
	r.msg = resp
	return r
}

// forcedRcodeLocked returns the rcode set by SetRcode for the question.
func (z *Zone) forcedRcodeLocked(name string, qtype uint16) (int, bool) {
	if rc, ok := z.rcodes[question{name: name, qtype: qtype}]; ok {
		return rc, true
	}
	rc, ok := z.rcodes[question{name: name, qtype: dns.TypeANY}]
	return rc, ok
}

// fillLocked answers like an authoritative server for the whole tree: the
// records of qtype, following CNAMEs inside the zone (RFC 1034 §4.3.2);
// NXDOMAIN for a name that does not exist, NODATA otherwise, both with a SOA
// in the authority section (RFC 2308 §2). A CNAME loop ends the chain.
func (z *Zone) fillLocked(resp *dns.Msg, name string, qtype uint16) {
	seen := map[string]bool{}
	for range maxChain {
		rrs, exists := z.names[name]
		if !exists {
			resp.Rcode = dns.RcodeNameError
			resp.Ns = append(resp.Ns, z.soaLocked(name))
			return
		}
		if recs := rrs[qtype]; len(recs) > 0 {
			resp.Answer = append(resp.Answer, copyRRs(recs)...)
			return
		}
		cnames := rrs[dns.TypeCNAME]
		if len(cnames) == 0 || qtype == dns.TypeCNAME {
			resp.Ns = append(resp.Ns, z.soaLocked(name))
			return
		}
		resp.Answer = append(resp.Answer, dns.Copy(cnames[0]))
		seen[name] = true
		next, err := canonical(cnames[0].(*dns.CNAME).Target)
		if err != nil || seen[next] {
			return
		}
		name = next
	}
}

// soaLocked returns a copy of the SOA of the closest enclosing name that has
// one, else a synthetic root SOA with TTL and MINIMUM 60 seconds.
func (z *Zone) soaLocked(name string) dns.RR {
	for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
		if soas := z.names[name[off:]][dns.TypeSOA]; len(soas) > 0 {
			return dns.Copy(soas[0])
		}
	}
	return &dns.SOA{
		Hdr:     header(".", dns.TypeSOA, syntheticNegTTL),
		Ns:      "ns.test.",
		Mbox:    "hostmaster.test.",
		Serial:  1,
		Refresh: 3600,
		Retry:   600,
		Expire:  86400,
		Minttl:  syntheticNegTTL,
	}
}

// copyRRs copies records: packing writes Rdlength into the record, so
// concurrent answers must not share them.
func copyRRs(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}

// udpLimit is the largest UDP answer the client accepts: its EDNS0 buffer
// size, or 512 bytes without EDNS0 (RFC 1035 §4.2.1, RFC 6891 §6.2.3).
func udpLimit(req *dns.Msg) int {
	if opt := req.IsEdns0(); opt != nil {
		return max(int(opt.UDPSize()), dns.MinMsgSize)
	}
	return dns.MinMsgSize
}
