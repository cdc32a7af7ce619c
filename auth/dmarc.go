package auth

import (
	"context"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"

	"milter91/resolver"
	"milter91/txn"
)

// CheckDMARC evaluates DMARC (RFC 7489) for a message whose From header
// field values (raw, as received, folded or not) are fromHeaders, given the
// message's SPF and DKIM facts.
//
// The From domain must be one: zero From addresses, an unparsable field, or
// addresses in several domains give Result permerror with a Detail and no
// Domain (RFC 7489 §6.6.1 lets receivers reject such messages; the rules
// decide). Several From fields with addresses in one domain are evaluated.
//
// Record discovery (§6.6.3): TXT at _dmarc.<From domain>, and only when that
// name has no DMARC record, at _dmarc.<organizational domain>. TXT strings
// not starting with "v=DMARC1" are ignored; several DMARC records at the
// name found give none. No record gives none, a temporary DNS failure gives
// temperror, and a record go-msgauth cannot parse gives permerror.
//
// Identifier alignment (§3.1) uses the record's aspf and adkim: strict
// means equal domains, relaxed means equal organizational domains (see
// OrgDomain). SPF aligns only with Result pass for the mailfrom identity;
// DKIM with any signature whose Result is pass. Without a usable record the
// alignment flags use relaxed mode. Result is pass when either aligns, fail
// otherwise.
//
// Policy is p=, or sp= when the record was found at the organizational
// domain and the From domain is a subdomain of it (§6.3); Pct is pct=
// (100 when absent). Neither is applied here; both stay empty without a
// usable record.
func CheckDMARC(ctx context.Context, r resolver.Resolver, fromHeaders []string, spfRes txn.SPF, dkimRes []txn.DKIM) txn.DMARC {
	domain, why := fromDomain(fromHeaders)
	if domain == "" {
		return txn.DMARC{Result: txn.ResultPermerror, Detail: why}
	}
	out := txn.DMARC{Domain: domain, OrgDomain: orgOrSelf(domain)}
	disc := discoverRecord(ctx, r, domain, out.OrgDomain)
	aspf, adkim := dmarc.AlignmentMode(dmarc.AlignmentRelaxed), dmarc.AlignmentMode(dmarc.AlignmentRelaxed)
	if disc.rec != nil {
		aspf, adkim = disc.rec.SPFAlignment, disc.rec.DKIMAlignment
	}
	out.SPFAligned = spfRes.Result == txn.ResultPass && spfRes.Identity == IdentityMailFrom &&
		aligned(spfRes.Domain, domain, aspf)
	for _, d := range dkimRes {
		if d.Result == txn.ResultPass && aligned(d.Domain, domain, adkim) {
			out.DKIMAligned = true
			break
		}
	}
	if disc.rec == nil {
		out.Result, out.Detail = disc.result, disc.detail
		return out
	}
	out.Policy = string(disc.rec.Policy)
	if disc.atOrg && disc.rec.SubdomainPolicy != "" {
		out.Policy = string(disc.rec.SubdomainPolicy)
	}
	out.Pct = 100
	if disc.rec.Percent != nil {
		out.Pct = *disc.rec.Percent
	}
	out.Result = txn.ResultFail
	if out.SPFAligned || out.DKIMAligned {
		out.Result = txn.ResultPass
	} else {
		out.Detail = "neither SPF nor DKIM is aligned with the From domain"
	}
	return out
}

// aligned reports whether an authenticated domain aligns with the From
// domain in mode (RFC 7489 §3.1.1, §3.1.2).
func aligned(authDomain, fromDomain string, mode dmarc.AlignmentMode) bool {
	a := strings.ToLower(strings.TrimSuffix(authDomain, "."))
	if a == "" {
		return false
	}
	if mode == dmarc.AlignmentStrict {
		return a == fromDomain
	}
	return orgOrSelf(a) == orgOrSelf(fromDomain)
}
