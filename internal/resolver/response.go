package resolver

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// classify maps a response to a result and its cache lifetime (0: do not
// cache). final is false when another server should be tried: SERVFAIL,
// REFUSED and every other error rcode are temporary (RFC 1035 §4.1.1).
func (c *Client) classify(resp *dns.Msg, qname string, qtype uint16) (res result, ttl time.Duration, final bool) {
	switch resp.Rcode {
	case dns.RcodeSuccess:
		rrs, chainTTL, ok := chase(resp.Answer, qname, qtype)
		if !ok {
			return result{reason: "CNAME chain over " + strconv.Itoa(maxChain) + " records"}, 0, false
		}
		if len(rrs) > 0 {
			ans := parseAnswer(qtype, rrs)
			if ans.empty() {
				// Records of the type whose data is unusable (an A record
				// with empty RDATA): a broken answer, not a listing and not
				// "no such record", so a temporary error, tried elsewhere.
				return result{reason: "malformed answer"}, 0, false
			}
			return result{ans: ans}, c.clamp(seconds(chainTTL)), true
		}
		return result{notFound: true}, c.negativeTTL(resp), true // NODATA, RFC 2308 §2.2
	case dns.RcodeNameError:
		return result{notFound: true}, c.negativeTTL(resp), true
	}
	reason, ok := dns.RcodeToString[resp.Rcode]
	if !ok {
		reason = "rcode " + strconv.Itoa(resp.Rcode)
	}
	return result{reason: reason}, 0, false
}

// maxChain bounds the CNAME records chase follows (our choice: recursive
// resolvers restart a query about ten times at most, so a longer chain in
// one answer is built to cost us time). It makes chase linear in the
// answer: at most maxChain+1 passes.
const maxChain = 16

// chase returns the records of qtype for qname in an answer section,
// following the CNAME chain inside it (RFC 1034 §3.6.2, §5.2.2), and the
// smallest TTL along the way. A chain that loops or ends without records of
// qtype gives none; ok is false for a chain longer than maxChain (or a
// loop in an answer of more than maxChain records).
func chase(rrs []dns.RR, qname string, qtype uint16) (matched []dns.RR, ttl uint32, ok bool) {
	name, ttl := qname, uint32(math.MaxUint32)
	for range min(len(rrs), maxChain) + 1 {
		var cname *dns.CNAME
		for _, rr := range rrs {
			h := rr.Header()
			if h.Class != dns.ClassINET || !strings.EqualFold(h.Name, name) {
				continue
			}
			if h.Rrtype == qtype {
				matched = append(matched, rr)
				ttl = min(ttl, h.Ttl)
			} else if cn, ok := rr.(*dns.CNAME); ok && cname == nil {
				cname = cn
			}
		}
		if len(matched) > 0 {
			return matched, ttl, true
		}
		if cname == nil {
			return nil, 0, true
		}
		ttl = min(ttl, cname.Hdr.Ttl)
		name = cname.Target
	}
	// Out of passes: a loop (at most len(rrs) distinct names) or a chain
	// over maxChain.
	return nil, 0, len(rrs) <= maxChain
}

// negativeTTL is the cache lifetime of an NXDOMAIN or NODATA response:
// the smaller of the SOA's TTL and its MINIMUM field (RFC 2308 §5), or
// NegativeTTL when the authority section has no SOA; clamped.
func (c *Client) negativeTTL(resp *dns.Msg) time.Duration {
	for _, rr := range resp.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return c.clamp(seconds(min(soa.Hdr.Ttl, soa.Minttl)))
		}
	}
	return c.clamp(c.cfg.negativeTTL)
}

// clamp bounds a cache lifetime by MinTTL and MaxTTL.
func (c *Client) clamp(d time.Duration) time.Duration {
	return min(max(d, c.cfg.minTTL), c.cfg.maxTTL)
}

// seconds converts a DNS TTL to a duration.
func seconds(ttl uint32) time.Duration { return time.Duration(ttl) * time.Second }
