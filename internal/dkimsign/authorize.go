package dkimsign

import (
	"fmt"
	"strings"
)

// Authorizer decides who may obtain a signature for which RFC5322.From
// domain. It is immutable and safe for concurrent use.
type Authorizer struct {
	users map[string]map[string]bool // SASL login → allowed A-label domains
}

// NewAuthorizer builds the policy from a map of SASL login names (exact,
// case-sensitive, as Postfix passes {auth_authen}) to the From domains
// each may sign for. A login not in the map may sign only for its own
// domain, the part after its last "@". The error names a domain that is
// not a valid domain name.
func NewAuthorizer(users map[string][]string) (*Authorizer, error) {
	a := &Authorizer{users: make(map[string]map[string]bool, len(users))}
	for u, domains := range users {
		set := make(map[string]bool, len(domains))
		for _, d := range domains {
			n, err := normDomain(d)
			if err != nil {
				return nil, fmt.Errorf("dkimsign: user %q: %w", u, err)
			}
			set[n] = true
		}
		a.users[u] = set
	}
	return a, nil
}

// Allow reports whether mail submitted by SASL login user with
// RFC5322.From domain fromDomain may be signed, and when not, why (a
// sentence for the log, naming the user and the domain; never a
// secret). An empty user means no SASL login (the outbound listener, a
// local submission): Allow does not restrict it, the direction decides.
// A nil Authorizer applies the default (own login domain) to everyone.
func (a *Authorizer) Allow(user, fromDomain string) (bool, string) {
	if user == "" {
		return true, ""
	}
	d, err := normDomain(fromDomain)
	if err != nil {
		return false, fmt.Sprintf("From domain %q is not a valid domain name", fromDomain)
	}
	if a != nil {
		if set, listed := a.users[user]; listed {
			if set[d] {
				return true, ""
			}
			return false, fmt.Sprintf("SASL user %q may not sign for %s (not among its allowed domains)", user, d)
		}
	}
	at := strings.LastIndexByte(user, '@')
	if at < 0 {
		return false, fmt.Sprintf("SASL user %q has no domain and no allowed domains: no signature for %s", user, d)
	}
	own, err := normDomain(user[at+1:])
	if err != nil || own != d {
		return false, fmt.Sprintf("SASL user %q may not sign for %s (not its login domain)", user, d)
	}
	return true, ""
}
