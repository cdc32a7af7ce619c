package auth

import (
	"context"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// discovery is the outcome of DMARC record discovery (RFC 7489 §6.6.3).
type discovery struct {
	rec    *dmarc.Record // nil when no usable record
	atOrg  bool          // rec came from the organizational domain, a parent of the From domain
	result string        // none, temperror or permerror when rec is nil
	detail string
}

// discoverRecord looks for the DMARC record of domain, then of its
// organizational domain org when domain has no DMARC record at all.
func discoverRecord(ctx context.Context, r resolver.Resolver, domain, org string) discovery {
	d, absent := lookupRecord(ctx, r, domain)
	if absent && org != domain {
		d, _ = lookupRecord(ctx, r, org)
		d.atOrg = d.rec != nil
	}
	return d
}

// lookupRecord queries _dmarc.<domain>; absent is true when the name has no
// DMARC record (NXDOMAIN, NODATA or only non-DMARC TXT strings).
func lookupRecord(ctx context.Context, r resolver.Resolver, domain string) (discovery, bool) {
	name := "_dmarc." + domain
	txts, err := r.LookupTXT(ctx, name)
	if err != nil {
		if resolver.IsNotFound(err) {
			return discovery{result: txn.ResultNone, detail: "no DMARC record"}, true
		}
		return discovery{result: txn.ResultTemperror, detail: dnsError(name, err).Error()}, false
	}
	var recs []string
	for _, t := range txts {
		if isDMARCRecord(t) {
			recs = append(recs, t)
		}
	}
	switch len(recs) {
	case 0:
		return discovery{result: txn.ResultNone, detail: "no DMARC record"}, true
	case 1:
	default:
		return discovery{result: txn.ResultNone, detail: "several DMARC records at " + name}, false
	}
	rec, err := dmarc.Parse(recs[0])
	if err != nil {
		return discovery{result: txn.ResultPermerror, detail: err.Error()}, false
	}
	return discovery{rec: rec}, false
}

// isDMARCRecord reports whether a TXT string starts with the version tag
// v=DMARC1 (RFC 7489 §6.4: "v" *WSP "=" *WSP "DMARC1", then a separator or
// the end).
func isDMARCRecord(txt string) bool {
	rest, ok := strings.CutPrefix(txt, "v")
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), "=")
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), "DMARC1")
	return ok && (rest == "" || rest[0] == ';' || rest[0] == ' ' || rest[0] == '\t')
}
