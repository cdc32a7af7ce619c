package dnsbl

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"milter91/resolver"
	"milter91/txn"
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

// HasEarly reports whether some zone is marked EarlyReject; false for
// nil.
func (c *Checker) HasEarly() bool {
	if c == nil {
		return false
	}
	for _, z := range c.zones {
		if z.early {
			return true
		}
	}
	return false
}

// Early asks the zones marked EarlyReject about the client ip (paused and
// disabled zones are skipped as in Check) and returns the first listing
// fact, in zone order, and true; false when none lists ip.
func (c *Checker) Early(ctx context.Context, r resolver.Resolver, ip netip.Addr) (txn.DNSBL, bool) {
	var jobs []job
	for _, j := range plan(c.zones, ip) {
		if j.zone.early {
			jobs = append(jobs, j)
		}
	}
	if len(jobs) == 0 {
		return txn.DNSBL{}, false
	}
	for _, f := range c.run(ctx, r, jobs) {
		if f.Listed && !f.Blocked {
			return f, true
		}
	}
	return txn.DNSBL{}, false
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
