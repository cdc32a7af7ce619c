package dmarc

import "milter91/internal/resolver"

// applyPolicy sets the policy that applies to a message that did not
// pass (RFC 9989 §4.10.1): p for a record at the Author Domain; for a
// record at a parent, np when the Author Domain does not exist and the
// record has np, else sp when present, else p. A record whose policy is
// not valid acts as p=none (it has a rua URI, or discover stopped).
func (c *Checker) applyPolicy(w *walker, out *Result) {
	rec := out.Record
	out.Testing = rec.Testing
	switch {
	case rec.BadPolicy:
		out.Policy, out.PolicyTag = PolicyNone, "p"
	case out.PolicyDomain == out.AuthorDomain:
		out.Policy, out.PolicyTag = rec.Policy, "p"
	default:
		out.Policy, out.PolicyTag = rec.Policy, "p"
		if rec.SubdomainPolicy != "" {
			out.Policy, out.PolicyTag = rec.SubdomainPolicy, "sp"
		}
		if rec.NonexistentPolicy != "" && rec.NonexistentPolicy != out.Policy {
			switch exists, err := w.exists(out.AuthorDomain); {
			case err != nil:
				out.Detail += "; the existence of " + out.AuthorDomain + " is unknown (" + err.Error() + "): " + out.PolicyTag + " applies, not np"
			case !exists:
				out.Policy, out.PolicyTag = rec.NonexistentPolicy, "np"
			}
		}
	}
	out.Requested = out.Policy
	if out.Testing {
		out.Requested = map[Policy]Policy{PolicyReject: PolicyQuarantine, PolicyQuarantine: PolicyNone, PolicyNone: PolicyNone}[out.Policy]
	}
}

// exists reports whether domain exists in the DNS (RFC 9989 §3.2.13,
// Appendix A.4: any record makes it exist, NXDOMAIN means it does not).
// The resolver does not tell NXDOMAIN from NODATA, so a domain counts as
// non-existent only when its TXT, MX and address lookups all answer
// "not found": a name with only other record types is taken as
// non-existent (np then applies to it). The error is the first
// temporary failure.
func (w *walker) exists(domain string) (bool, error) {
	_, err := w.r.LookupTXT(w.ctx, domain)
	if err == nil {
		return true, nil
	}
	if !resolver.IsNotFound(err) {
		return false, err
	}
	if _, err = w.r.LookupMX(w.ctx, domain); err == nil {
		return true, nil
	} else if !resolver.IsNotFound(err) {
		return false, err
	}
	if _, err = w.r.LookupIPAddr(w.ctx, domain); err == nil {
		return true, nil
	} else if !resolver.IsNotFound(err) {
		return false, err
	}
	return false, nil
}
