package dmarc

import (
	"context"
	"strings"

	"milter91/internal/resolver"
)

// Results (RFC 8601 §2.7.1 names).
const (
	ResultPass      = "pass"
	ResultFail      = "fail"
	ResultNone      = "none"
	ResultTemperror = "temperror"
	ResultPermerror = "permerror"
)

// Identifier is one authenticated identifier candidate: a domain and the
// result of its check (RFC 8601 names: pass, fail, temperror, ...).
type Identifier struct {
	Domain string
	Result string
}

// Input is what a DMARC evaluation needs from the other checks.
type Input struct {
	// AuthorDomain is the single RFC5322.From domain in lower-case
	// A-labels (RFC 9989 §5.3.1); "" when the message has none or
	// several, which gives permerror.
	AuthorDomain string
	// SPF is the SPF result of the MAIL FROM identity (RFC 9989 §3.2.4:
	// DMARC uses no other); zero when SPF was not checked.
	SPF Identifier
	// DKIM has one entry per verified signature: its d= and result.
	DKIM []Identifier
}

// Checker evaluates DMARC. The zero value is not usable: R is required.
type Checker struct {
	R resolver.Resolver
	// PSL, when set, replaces the tree walk by the RFC 7489 method:
	// policy discovery asks the Author Domain, then PSL(Author Domain),
	// and organizational domains are PSL(domain) (the registrable
	// domain; "" means the domain itself). Operators choose it by
	// configuration only: RFC 9989 §4.10 makes the tree walk the method.
	PSL func(domain string) string
}

// Result is the DMARC evaluation of one message.
type Result struct {
	// Result: pass, fail, none (no applicable record: the mechanism
	// does not apply, §4.10.1), temperror (a DNS failure left the
	// answer open, §5.3.6), permerror (no single Author Domain).
	Result       string
	AuthorDomain string
	// PolicyDomain is where the applied record was found; OrgDomain is
	// the Author Domain's Organizational Domain.
	PolicyDomain, OrgDomain string
	Record                  *Record
	// Policy is the one that applies: PolicyTag's value, or none for a
	// record without a valid policy but with rua (§4.10.1).
	Policy    Policy
	PolicyTag string // "p", "sp" or "np"
	Testing   bool   // t=y
	// Requested is Policy as the Domain Owner asks it to be applied:
	// one level lower in testing mode (§4.7 "t": reject → quarantine,
	// quarantine → none).
	Requested               Policy
	SPFAligned, DKIMAligned bool
	Discovery               string // "treewalk" or "psl" (RFC 9990 discovery_method)
	Detail                  string
}

// Evaluate evaluates DMARC for in (RFC 9989 §5.3): policy discovery
// (§4.10.1), identifier alignment (§4.10.2) and the policy that applies
// (p, sp or np). Only identifiers whose Result is pass can align; an
// identifier that could have aligned but ended in temperror, or a walk
// that met a temporary DNS failure, makes a non-passing result
// temperror, since a later attempt may pass.
//
// DNS cost: one walk of at most MaxWalkQueries for discovery, one more
// per passing identifier in relaxed mode that differs from the Author
// Domain (names are asked once per evaluation), and for np up to three
// lookups of the Author Domain itself (see exists).
func (c *Checker) Evaluate(ctx context.Context, in Input) Result {
	author := strings.ToLower(strings.TrimSuffix(in.AuthorDomain, "."))
	out := Result{AuthorDomain: author, Discovery: "treewalk"}
	if c.PSL != nil {
		out.Discovery = "psl"
	}
	if author == "" {
		out.Result, out.Detail = ResultPermerror, "no single RFC5322.From domain"
		return out
	}
	w := newWalker(ctx, c.R)
	if !c.discover(w, &out) {
		return out
	}
	c.align(w, in, &out)
	if out.Result != ResultPass {
		c.applyPolicy(w, &out)
	}
	return out
}

// discover finds the record that applies and sets PolicyDomain, Record
// and OrgDomain; false (with Result and Detail set) when there is none
// or DNS failed.
func (c *Checker) discover(w *walker, out *Result) bool {
	author := out.AuthorDomain
	a := w.query(author)
	if a.temp != nil {
		out.Result, out.Detail = ResultTemperror, "looking up _dmarc."+author+": "+a.temp.Error()
		return false
	}
	if a.rec != nil {
		out.PolicyDomain, out.Record = author, a.rec
	} else if c.PSL != nil {
		if org := c.PSL(author); org != "" && org != author {
			b := w.query(org)
			if b.temp != nil {
				out.Result, out.Detail = ResultTemperror, "looking up _dmarc."+org+": "+b.temp.Error()
				return false
			}
			out.PolicyDomain, out.Record = org, b.rec
		}
	} else {
		recs, err := w.walk(author, false)
		if err != nil {
			out.Result, out.Detail = ResultTemperror, "DMARC tree walk for "+author+": "+err.Error()
			return false
		}
		if len(recs) > 0 {
			org := orgFrom(author, recs)
			out.PolicyDomain, out.Record = recs[len(recs)-1].domain, recs[len(recs)-1].rec
			for _, f := range recs {
				if f.domain == org {
					out.PolicyDomain, out.Record = f.domain, f.rec
				}
			}
		}
	}
	if out.Record == nil {
		out.Result, out.Detail = ResultNone, "no DMARC policy record"
		if a.note != "" {
			out.Detail = a.note
		}
		return false
	}
	if !out.Record.Usable() {
		out.Result, out.Detail = ResultNone, "the DMARC record at _dmarc."+out.PolicyDomain+" has no valid policy and no valid rua URI (RFC 9989 §4.10.1)"
		return false
	}
	org, err := w.orgDomain(author, c.PSL)
	if err != nil {
		out.Result, out.Detail = ResultTemperror, "organizational domain of "+author+": "+err.Error()
		return false
	}
	out.OrgDomain = org
	return true
}

// align sets SPFAligned, DKIMAligned and the result: pass when either
// aligns, temperror when an identifier's alignment or result was left
// open by a temporary failure, fail otherwise (§5.3.5).
func (c *Checker) align(w *walker, in Input, out *Result) {
	var pending string
	check := func(id Identifier, mode byte) bool {
		d := strings.ToLower(strings.TrimSuffix(id.Domain, "."))
		if d == "" || (id.Result != ResultPass && id.Result != ResultTemperror) {
			return false
		}
		ok, err := c.aligned(w, d, out, mode)
		switch {
		case err != nil && pending == "":
			pending = "alignment of " + d + ": " + err.Error()
		case ok && id.Result == ResultTemperror && pending == "":
			pending = "temperror for aligned identifier " + d
		}
		return ok && id.Result == ResultPass
	}
	out.SPFAligned = check(in.SPF, out.Record.ASPF)
	for _, d := range in.DKIM {
		if check(d, out.Record.ADKIM) {
			out.DKIMAligned = true
		}
	}
	switch {
	case out.SPFAligned || out.DKIMAligned:
		out.Result = ResultPass
	case pending != "":
		out.Result, out.Detail = ResultTemperror, pending+"; no aligned pass: the policy cannot be applied now"
	default:
		out.Result, out.Detail = ResultFail, "neither SPF nor DKIM is aligned with the From domain"
	}
}

// aligned reports whether domain aligns with the Author Domain in mode
// ('s' strict: equal; 'r' relaxed: equal Organizational Domains).
func (c *Checker) aligned(w *walker, domain string, out *Result, mode byte) (bool, error) {
	if domain == out.AuthorDomain {
		return true, nil
	}
	if mode == 's' {
		return false, nil
	}
	org, err := w.orgDomain(domain, c.PSL)
	if err != nil {
		return false, err
	}
	return org == out.OrgDomain, nil
}
