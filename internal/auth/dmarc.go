package auth

import (
	"context"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"

	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// CheckDMARC evaluates DMARC (RFC 7489) for a message whose RFC5322.From
// is from (mailmsg.View.From), given the message's SPF and DKIM facts.
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
// mailmsg.OrgDomain, compared as A-labels: RFC 8616 §5). SPF aligns only with Result pass for the mailfrom identity;
// DKIM with any signature whose Result is pass. Without a usable record the
// alignment flags use relaxed mode. Result is pass when either aligns;
// otherwise temperror when an identifier that could have aligned ended in
// temperror (the SPF mailfrom identity, or a DKIM signature whose d=
// aligns), since a later attempt may pass (RFC 8601 §2.7.1; RFC 7489
// §6.6.2 applies the policy only to a failed check); fail otherwise.
//
// Policy is p=, or sp= when the record was found at the organizational
// domain and the From domain is a subdomain of it (§6.3); Pct is pct=
// (100 when absent), also with temperror. Neither is applied here; both
// stay empty without a usable record.
func CheckDMARC(ctx context.Context, r resolver.Resolver, from mailmsg.From, spfRes txn.SPF, dkimRes []txn.DKIM) txn.DMARC {
	domain, why := fromDomain(from)
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
	pending := undecided(domain, spfRes, dkimRes, aspf, adkim)
	switch {
	case out.SPFAligned || out.DKIMAligned:
		out.Result = txn.ResultPass
	case pending != "":
		out.Result = txn.ResultTemperror
		out.Detail = pending + " and no aligned pass: the policy cannot be applied now"
	default:
		out.Result = txn.ResultFail
		out.Detail = "neither SPF nor DKIM is aligned with the From domain"
	}
	return out
}

// undecided names the first identifier that could have aligned with the
// From domain but ended in temperror, "" when there is none: the SPF
// mailfrom identity (the only one that can align), then each DKIM
// signature. Without such an identifier a later attempt could not change a
// fail.
func undecided(fromDomain string, spfRes txn.SPF, dkimRes []txn.DKIM, aspf, adkim dmarc.AlignmentMode) string {
	if spfRes.Result == txn.ResultTemperror && spfRes.Identity == IdentityMailFrom && aligned(spfRes.Domain, fromDomain, aspf) {
		return "SPF temperror for " + spfRes.Domain
	}
	for _, d := range dkimRes {
		if d.Result == txn.ResultTemperror && aligned(d.Domain, fromDomain, adkim) {
			return "DKIM temperror for d=" + d.Domain
		}
	}
	return ""
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
