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
// that rejects a listed client at RCPT, before DATA, so that a blocked
// sender costs no bandwidth (as Postfix's postscreen and
// reject_rbl_client do). It is the operator's decision in the zone or list
// configuration: at RCPT no other fact exists for the rules to weigh.
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

// Early asks the zones marked EarlyReject, or with a code so marked, about
// the client ip (paused and disabled zones are skipped as in Check) and
// returns the first fact, in zone order, that is a listing of a zone
// marked EarlyReject or has an answer matching a code marked EarlyReject,
// and true; false when there is none.
func (c *Checker) Early(ctx context.Context, r resolver.Resolver, ip netip.Addr) (txn.DNSBL, bool) {
	var jobs []job
	for _, j := range plan(c.zones, ip) {
		if j.zone.early || j.zone.earlyCodes {
			jobs = append(jobs, j)
		}
	}
	if len(jobs) == 0 {
		return txn.DNSBL{}, false
	}
	for i, f := range c.run(ctx, r, jobs) {
		if f.Listed && !f.Blocked && jobs[i].zone.rejectsEarly(f.Answers) {
			return f, true
		}
	}
	return txn.DNSBL{}, false
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
