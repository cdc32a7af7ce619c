package dnsbl

import (
	"net/netip"
	"slices"
	"strings"

	"milter91/internal/mailmsg"
)

// Subject is what one message offers the blocklists.
type Subject struct {
	// ClientIP is asked in IP zones with SourceClient.
	ClientIP netip.Addr
	// Targets are names with their source: domains for domain zones, and,
	// for SourceURL, IP literals for IP zones. The envelope and header
	// sources are planned before SourceURL and SourceEmail, each group
	// in the order given.
	Targets []Target
}

// Target is one name a message offers, and where it came from (a Source*
// constant).
type Target struct {
	Source string
	Name   string
	// Address is the whole email address Name is the domain of, for
	// SourceMailFrom, SourceFrom, SourceReplyTo and SourceEmail ("" when
	// unknown); local lists match it against their email entries.
	Address string
}

// Limits bound the blocklist lookups of one message. They count only
// blocklist queries: SPF, DKIM and DMARC lookups have their own limits.
type Limits struct {
	// MaxBodyDomains caps the distinct organizational domains taken from
	// SourceURL and SourceEmail targets (default DefaultMaxBodyDomains).
	MaxBodyDomains int
	// MaxQueries caps the lookups of one message, client address
	// included (default DefaultMaxQueries).
	MaxQueries int
}

// Defaults of Limits, as rspamd's and SpamAssassin's URIBL caps order of
// magnitude: a message with more distinct link domains is rare, and a
// spammer who adds hundreds of them must not buy hundreds of queries.
const (
	DefaultMaxBodyDomains = 20
	DefaultMaxQueries     = 40
)

// planMessage lists the lookups of s within lim: client address first,
// then envelope and header targets, then body targets; the number of
// lookups the limits dropped is returned with them: each distinct (zone,
// target) lookup that a body domain past MaxBodyDomains or the MaxQueries
// budget kept from being sent counts once, in every zone that would have
// asked it.
func planMessage(zones []*Zone, s Subject, lim Limits) ([]job, int) {
	if lim.MaxBodyDomains <= 0 {
		lim.MaxBodyDomains = DefaultMaxBodyDomains
	}
	if lim.MaxQueries <= 0 {
		lim.MaxQueries = DefaultMaxQueries
	}
	p := planner{zones: zones, limit: lim.MaxQueries}
	p.addIP(s.ClientIP, SourceClient)
	body := map[string]bool{}
	for _, fromBody := range []bool{false, true} {
		for _, t := range s.Targets {
			if isBodySource(t.Source) != fromBody {
				continue
			}
			if ip, err := netip.ParseAddr(strings.Trim(t.Name, "[]")); err == nil {
				p.addIP(ip, t.Source)
				continue
			}
			d := normTarget(t.Name)
			if d == "" {
				continue
			}
			cut := false
			if fromBody {
				org := orgOrSelf(d)
				cut = !body[org] && len(body) >= lim.MaxBodyDomains
				body[org] = body[org] || !cut
			}
			p.addDomain(d, t.Source, cut)
		}
	}
	return p.jobs, len(p.skipped)
}

func isBodySource(s string) bool { return s == SourceURL || s == SourceEmail }

// planner collects jobs, one per zone and target, within a limit.
type planner struct {
	zones     []*Zone
	limit     int  // jobs at most; < 0 unlimited
	anySource bool // ask every zone of the right type, whatever its sources (Lookup)
	jobs      []job
	skipped   map[jobKey]bool // lookups not sent: past the limit, or cut
}

// jobKey is what makes two jobs the same lookup.
type jobKey struct {
	index  int
	target string
}

// addIP plans ip in the IP zones asking source.
func (p *planner) addIP(ip netip.Addr, source string) {
	if !ip.IsValid() {
		return
	}
	ip = ip.WithZone("").Unmap()
	for i, z := range p.zones {
		if z.domain || !(p.anySource || z.sources[source]) || (ip.Is6() && !z.ipv6) {
			continue
		}
		q, _ := QueryName(ip, z.name)
		p.add(job{index: i, zone: z, query: q, target: ip.String()}, source, false)
	}
}

// addDomain plans the normalised domain d in the domain zones asking
// source, trimmed to its organizational domain unless the zone wants full
// names. Names too long to go in front of the zone are not asked. With cut
// (a body domain past MaxBodyDomains) its lookups are skipped instead.
func (p *planner) addDomain(d, source string, cut bool) {
	for i, z := range p.zones {
		if !z.domain || !(p.anySource || z.sources[source]) {
			continue
		}
		name := d
		if !z.fullName {
			name = orgOrSelf(d)
		}
		if q := name + "." + z.name; len(q) <= 253 {
			p.add(job{index: i, zone: z, query: q, target: name}, source, cut)
		}
	}
}

// add appends j, or adds source to the job asking the same zone about the
// same target (that lookup is sent anyway, cut or not); cut or past the
// limit, it records j as a skipped lookup instead.
func (p *planner) add(j job, source string, cut bool) {
	for k := range p.jobs {
		if o := &p.jobs[k]; o.index == j.index && o.target == j.target {
			if !slices.Contains(o.sources, source) {
				o.sources = append(o.sources, source)
			}
			return
		}
	}
	if cut || p.limit >= 0 && len(p.jobs) >= p.limit {
		if p.skipped == nil {
			p.skipped = map[jobKey]bool{}
		}
		p.skipped[jobKey{index: j.index, target: j.target}] = true
		return
	}
	j.sources = []string{source}
	p.jobs = append(p.jobs, j)
}

// normTarget returns name as lower-case A-labels without a final dot, or
// "" when it is not a domain of two or more labels (a bare host name, an
// address literal, an empty label, an invalid IDNA name): normDomain's
// rules for list entries.
func normTarget(name string) string {
	d, err := normDomain(strings.TrimSpace(name))
	if err != nil {
		return ""
	}
	return d
}

// orgOrSelf is the organizational domain of the normalised name d
// (mailmsg.OrgDomain, RFC 7489 §3.2) as A-labels, or d when it has none
// (it is a public suffix, or under an unknown one).
func orgOrSelf(d string) string {
	dom, err := mailmsg.ParseDomain(d)
	if err != nil {
		return d
	}
	org, _ := mailmsg.OrgDomain(dom)
	return org.ASCII
}
