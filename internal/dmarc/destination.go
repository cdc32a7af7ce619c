package dmarc

import (
	"context"
	"net/url"
	"strings"

	"golang.org/x/net/idna"

	"milter91/internal/resolver"
)

// Destination is one aggregate- or failure-report URI of a record after the
// verification of external destinations (RFC 9990 §4, "Verifying
// External Destinations").
type Destination struct {
	// URI is where to send: the record's, or the Report Consumer's
	// override (same destination host).
	URI string
	// Allowed is false when the URI must be ignored: an external
	// destination that did not confirm, an unusable URI.
	Allowed bool
	// External is true when the destination host's Organizational
	// Domain differs from the policy domain's, so that a
	// <policy domain>._report._dmarc.<host> record was asked.
	External bool
	Detail   string
}

// Destinations verifies each rua URI of rec, the record found at
// policyDomain (RFC 9990 §4). A URI whose host has the policy domain's
// Organizational Domain is allowed as it is. Otherwise the TXT records at
// <policyDomain>._report._dmarc.<host> must hold at least one record
// starting with v=DMARC1 (Parse); one with rua= replaces the URI when
// every one of its URIs has the same host, and blocks both URIs when one
// does not. A name over 253 bytes cannot confirm. The error is the first
// temporary DNS failure: the caller retries later (the RFC lets it
// "temporarily fail"), so nothing is decided.
func (c *Checker) Destinations(ctx context.Context, policyDomain string, rec *Record) ([]Destination, error) {
	return c.verify(ctx, policyDomain, rec.RUA, func(r *Record) []string { return r.RUA })
}

// FailureDestinations verifies each ruf URI of the record found at
// policyDomain as Destinations does the rua URIs (RFC 9991 §3 applies
// RFC 9990 §4's verification to failure reports): the override is the
// confirming record's ruf tag.
func (c *Checker) FailureDestinations(ctx context.Context, policyDomain string, ruf []string) ([]Destination, error) {
	return c.verify(ctx, policyDomain, ruf, func(r *Record) []string { return r.RUF })
}

// verify checks uris; tag picks the override URIs of a confirming record.
func (c *Checker) verify(ctx context.Context, policyDomain string, uris []string, tag func(*Record) []string) ([]Destination, error) {
	w := newWalker(ctx, c.R)
	policyOrg, err := w.orgDomain(policyDomain, c.PSL)
	if err != nil {
		return nil, err
	}
	var out []Destination
	for _, u := range uris {
		d, err := c.destination(w, policyDomain, policyOrg, u, tag)
		if err != nil {
			return nil, err
		}
		out = append(out, d...)
	}
	return out, nil
}

// destination verifies one URI.
func (c *Checker) destination(w *walker, policyDomain, policyOrg, uri string, tag func(*Record) []string) ([]Destination, error) {
	host := uriHost(uri)
	if host == "" {
		return []Destination{{URI: uri, Detail: "no destination host"}}, nil
	}
	hostOrg, err := w.orgDomain(host, c.PSL)
	if err != nil {
		return nil, err
	}
	if hostOrg == policyOrg {
		return []Destination{{URI: uri, Allowed: true}}, nil
	}
	ext := Destination{URI: uri, External: true}
	name := policyDomain + "._report._dmarc." + host
	if len(name) > 253 {
		ext.Detail = name + " is longer than DNS allows: the external destination cannot be confirmed"
		return []Destination{ext}, nil
	}
	txts, err := w.r.LookupTXT(w.ctx, name)
	if err != nil && !resolver.IsNotFound(err) {
		return nil, err
	}
	var confirms []*Record
	for _, t := range txts {
		if r, err := Parse(t); err == nil {
			confirms = append(confirms, r)
		}
	}
	if len(confirms) == 0 {
		ext.Detail = "no v=DMARC1 record at " + name + ": " + host + " did not agree to receive reports for " + policyDomain
		return []Destination{ext}, nil
	}
	for _, r := range confirms {
		if len(tag(r)) == 0 {
			continue
		}
		var over []Destination
		for _, o := range tag(r) {
			if uriHost(o) != host {
				ext.Detail = "the override " + o + " at " + name + " names another host: no report to either URI"
				return []Destination{ext}, nil
			}
			over = append(over, Destination{URI: o, Allowed: true, External: true, Detail: "override from " + name})
		}
		return over, nil
	}
	ext.Allowed = true
	return []Destination{ext}, nil
}

// uriHost returns the destination host of a reporting URI in lower-case
// A-labels: the domain of a mailto: address, the authority's host
// otherwise; "" when there is none.
func uriHost(u string) string {
	var h string
	if strings.HasPrefix(strings.ToLower(u), "mailto:") {
		a, err := MailtoAddress(u)
		if err != nil {
			return ""
		}
		h = a[strings.LastIndexByte(a, '@')+1:]
	} else if p, err := url.Parse(u); err == nil {
		h = p.Hostname()
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if a, err := idna.Lookup.ToASCII(h); err == nil {
		return a
	}
	return ""
}
