package dnsbl

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// EarlyReject is the value of ZoneConfig.Early and LocalListConfig.Early
// that offers a zone's or a list's answers about the client to the rules
// marked at: rcpt (EarlyListings, EarlyHits), which by default reject a
// listed client at RCPT, before DATA, so that a blocked sender costs no
// bandwidth (as Postfix's postscreen and reject_rbl_client do).
const EarlyReject = "reject"

// checkEarly validates an Early value; usable says the zone or list is
// of the kind need describes, the only kind where EarlyReject means
// something.
func checkEarly(early string, usable bool, need string) error {
	switch {
	case early == "":
		return nil
	case early != EarlyReject:
		return fmt.Errorf("early %q: want %q or nothing", early, EarlyReject)
	case !usable:
		return errors.New("early: reject needs " + need)
	}
	return nil
}

// HasEarly reports whether some zone, or some return code of a zone, is
// marked EarlyReject; false for nil.
func (c *Checker) HasEarly() bool {
	if c == nil {
		return false
	}
	for _, z := range c.zones {
		if z.early || z.earlyCodes {
			return true
		}
	}
	return false
}

// Early returns the first of EarlyListings and true; false when there is
// none.
func (c *Checker) Early(ctx context.Context, r resolver.Resolver, ip netip.Addr) (txn.DNSBL, bool) {
	if l := c.EarlyListings(ctx, r, ip); len(l) > 0 {
		return l[0], true
	}
	return txn.DNSBL{}, false
}

// EarlyListings asks the zones marked EarlyReject, or with a code so
// marked, about the client ip (paused and disabled zones are skipped as
// in Check) and returns, in zone order, the facts that are a listing of a
// zone marked EarlyReject or have an answer matching a code marked
// EarlyReject: the blocklist facts known at RCPT. A lookup that failed is
// none of them.
func (c *Checker) EarlyListings(ctx context.Context, r resolver.Resolver, ip netip.Addr) []txn.DNSBL {
	var jobs []job
	for _, j := range plan(c.zones, ip) {
		if j.zone.early || j.zone.earlyCodes {
			jobs = append(jobs, j)
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	var out []txn.DNSBL
	for i, f := range c.run(ctx, r, jobs) {
		if f.Listed && !f.Blocked && jobs[i].zone.rejectsEarly(f.Answers) {
			out = append(out, f)
		}
	}
	return out
}

// rejectsEarly reports whether a listing with answers is rejected at RCPT:
// the zone is marked EarlyReject, or an answer that is not an error code
// matches a code marked EarlyReject.
func (z *Zone) rejectsEarly(answers []netip.Addr) bool {
	if z.early {
		return true
	}
	for _, c := range z.codes {
		if !c.early {
			continue
		}
		for _, a := range answers {
			if !z.isError(a) && c.matches(a) {
				return true
			}
		}
	}
	return false
}

// HasEarly reports whether some block list is marked EarlyReject; false
// for nil.
func (ll *LocalLists) HasEarly() bool {
	if ll == nil {
		return false
	}
	for _, e := range ll.early {
		if e {
			return true
		}
	}
	return false
}

// Early returns the first hit of a block list marked EarlyReject for the
// client ip, and true; false when none lists it or when an allow list
// matched against the client address lists it (an allow list always wins).
func (ll *LocalLists) Early(ip netip.Addr) (txn.ListHit, bool) {
	var hit txn.ListHit
	found := false
	for _, h := range ll.Check(Subject{ClientIP: ip}) {
		if h.Kind == KindAllow {
			return txn.ListHit{}, false
		}
		if !found && ll.early[h.List] {
			hit, found = h, true
		}
	}
	return hit, found
}

// EarlyHits returns the hits on the client ip of the allow lists and of
// the block lists marked EarlyReject, in Check's order: the local list
// facts known at RCPT.
func (ll *LocalLists) EarlyHits(ip netip.Addr) []txn.ListHit {
	var out []txn.ListHit
	for _, h := range ll.Check(Subject{ClientIP: ip}) {
		if h.Kind == KindAllow || ll.early[h.List] {
			out = append(out, h)
		}
	}
	return out
}

// AllowsClient reports whether an allow list matched against the client
// address lists ip.
func (ll *LocalLists) AllowsClient(ip netip.Addr) bool {
	for _, h := range ll.Check(Subject{ClientIP: ip}) {
		if h.Kind == KindAllow {
			return true
		}
	}
	return false
}
