package dnsbl

import (
	"net/netip"
	"slices"
	"strings"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// Result values of txn.DNSBL.Result besides txn.ResultTemperror.
const (
	// ResultListed: at least one answer is a listing.
	ResultListed = "listed"
	// ResultNotListed: NXDOMAIN, or no answer that counts as a listing.
	ResultNotListed = "notlisted"
	// ResultBlocked: the zone answered an error code (query refused), or
	// it is paused after such an answer. Never a listing.
	ResultBlocked = "blocked"
)

// classify turns the A records of query in zone z into a fact. Answers
// outside 127.0.0.0/8 are dropped; an error answer wins over listings;
// answers are handled sorted and Tags follow the zone's Codes order, so the
// fact does not depend on the order the DNS server rotated the records into.
func classify(z *Zone, query string, answers []netip.Addr) txn.DNSBL {
	f := txn.DNSBL{Zone: z.name, Query: query, Secret: z.secret}
	var ignored, errs, unmapped []string
	sorted := make([]netip.Addr, len(answers))
	for i, a := range answers {
		sorted[i] = a.Unmap()
	}
	slices.SortFunc(sorted, netip.Addr.Compare)
	for _, a := range sorted {
		if !a.Is4() || !answerRange.Contains(a) {
			ignored = append(ignored, a.String())
			continue
		}
		f.Answers = append(f.Answers, a)
		switch {
		case z.isError(a):
			errs = append(errs, a.String())
		case len(z.codes) > 0 && !z.mapped(a):
			unmapped = append(unmapped, a.String())
		default:
			f.Listed = true
		}
	}
	var detail []string
	if len(errs) > 0 {
		f.Blocked, f.Listed = true, false
		detail = append(detail, "error answer "+strings.Join(errs, ",")+": query refused, result not trusted")
	}
	if len(unmapped) > 0 {
		detail = append(detail, "answer "+strings.Join(unmapped, ",")+" matches no code mapping, not a listing")
	}
	if len(ignored) > 0 {
		detail = append(detail, "ignored answer "+strings.Join(ignored, ",")+" outside 127.0.0.0/8")
	}
	f.Detail = strings.Join(detail, "; ")
	switch {
	case f.Blocked:
		f.Result = ResultBlocked
	case f.Listed:
		f.Result = ResultListed
		f.Tags = z.tagsFor(f.Answers)
	default:
		f.Result = ResultNotListed
	}
	return f
}

// lookupFailed turns a lookup error into a fact: NXDOMAIN/NODATA is "not
// listed" (RFC 5782 §2); anything else (timeout, SERVFAIL, REFUSED, a
// cancelled context) means the zone could not be asked: temperror.
func lookupFailed(z *Zone, query string, err error) txn.DNSBL {
	f := txn.DNSBL{Zone: z.name, Query: query, Secret: z.secret, Result: ResultNotListed}
	if !resolver.IsNotFound(err) {
		f.Result = txn.ResultTemperror
		f.Detail = err.Error()
	}
	return f
}

func (z *Zone) isError(a netip.Addr) bool {
	for _, p := range z.errorCodes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// mapped reports whether any of the zone's Codes matches a.
func (z *Zone) mapped(a netip.Addr) bool {
	for _, c := range z.codes {
		if c.matches(a) {
			return true
		}
	}
	return false
}

// tagsFor returns, in Codes order and without repeats, the tags any of the
// answers maps to; nil when none (always nil for a zone without Codes).
func (z *Zone) tagsFor(answers []netip.Addr) []string {
	var tags []string
	for _, c := range z.codes {
		if slices.Contains(tags, c.tag) {
			continue
		}
		for _, a := range answers {
			if !z.isError(a) && c.matches(a) {
				tags = append(tags, c.tag)
				break
			}
		}
	}
	return tags
}
