package engine_test

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"milter91/dnsbl"
	"milter91/internal/engine"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// A DNS timeout is never a permanent 5xx: with no aligned pass and a
// temporary error on an identifier that could have aligned, DMARC is
// temperror (the policy cannot be applied), and the shipped rules defer
// (p=reject, p=quarantine) or accept (p=none, or no policy known), never
// reject. A missing key is certain evidence and still rejects.
func TestDNSTimeoutNeverRejects(t *testing.T) {
	key := testKey(t)
	signed := signDKIM(t, key, senderDom, plainMessage)
	keyName := selector + "._domainkey." + senderDom
	timeout := func(name string) error { return resolver.Temporary(name, "i/o timeout", true) }
	const deferText = "DMARC policy of example.com cannot be checked now (DNS temporary error), try again later"
	tests := []struct {
		name   string
		msg    string
		spf    string           // SPF record of example.com
		dmarc  string           // DMARC record
		errs   map[string]error // per name
		result string           // DMARC result
		action txn.Action
		reply  txn.Reply
	}{
		{name: "DKIM key lookup timed out, SPF fail, p=reject", msg: signed, spf: "v=spf1 -all", dmarc: "v=DMARC1; p=reject",
			errs: map[string]error{keyName: timeout(keyName)}, result: txn.ResultTemperror,
			action: txn.ActionTempfail, reply: txn.Reply{Code: 451, Enhanced: "4.4.3", Text: deferText}},
		{name: "DKIM key lookup timed out, SPF fail, p=quarantine", msg: signed, spf: "v=spf1 -all", dmarc: "v=DMARC1; p=quarantine",
			errs: map[string]error{keyName: timeout(keyName)}, result: txn.ResultTemperror,
			action: txn.ActionTempfail, reply: txn.Reply{Code: 451, Enhanced: "4.4.3", Text: deferText}},
		{name: "DKIM key lookup timed out, SPF fail, p=none", msg: signed, spf: "v=spf1 -all", dmarc: "v=DMARC1; p=none",
			errs: map[string]error{keyName: timeout(keyName)}, result: txn.ResultTemperror, action: txn.ActionAccept},
		{name: "SPF record SERVFAIL, unsigned, p=reject", msg: plainMessage, dmarc: "v=DMARC1; p=reject",
			errs:   map[string]error{senderDom: resolver.Temporary(senderDom, "SERVFAIL", false)},
			result: txn.ResultTemperror, action: txn.ActionTempfail, reply: txn.Reply{Code: 451, Enhanced: "4.4.3", Text: deferText}},
		// DNS down: the policy is not known either; today's "accept" stays.
		{name: "DMARC record and DKIM key timed out, SPF fail", msg: signed, spf: "v=spf1 -all", dmarc: "v=DMARC1; p=reject",
			errs:   map[string]error{keyName: timeout(keyName), "_dmarc." + senderDom: timeout("_dmarc." + senderDom)},
			result: txn.ResultTemperror, action: txn.ActionAccept},
		{name: "DKIM key missing, SPF fail, p=reject", msg: signed, spf: "v=spf1 -all", dmarc: "v=DMARC1; p=reject",
			errs: map[string]error{keyName: resolver.NotFound(keyName)}, result: txn.ResultFail,
			action: txn.ActionReject, reply: txn.Reply{Code: 550, Enhanced: "5.7.26", Text: "DMARC policy of example.com rejects this message"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := dns(tc.spf, tc.dmarc)
			res.TXT[keyName] = []string{keyRecord(t, key)}
			for n, err := range tc.errs {
				res.Errors[n] = err
			}
			e := newEngine(t, engine.Options{Resolver: res})
			out := mustEvaluate(t, e, transaction(t, tc.msg))
			if got := out.Facts.DMARC.Result; got != tc.result {
				t.Errorf("DMARC %+v, want %s", out.Facts.DMARC, tc.result)
			}
			if tc.result == txn.ResultTemperror && !slices.Contains(out.Facts.Temperrors, "dmarc") {
				t.Errorf("Temperrors %v, want dmarc among them", out.Facts.Temperrors)
			}
			if out.Verdict.Action != tc.action || out.Verdict.Reply != tc.reply {
				t.Errorf("verdict %v %q rules %v, want %v %q", out.Verdict.Action, out.Verdict.Reply, out.Verdict.RuleIDs(), tc.action, tc.reply)
			}
			if tc.result == txn.ResultTemperror && out.Verdict.Reply.Code/100 == 5 {
				t.Errorf("a DNS temporary error gave a permanent %v", out.Verdict.Reply)
			}
		})
	}
}

// A blocklist zone marked early: reject whose lookup times out rejects
// nothing at RCPT, and at end of message its temperror is no listing.
func TestBlocklistTimeoutIsNoListing(t *testing.T) {
	zones, err := dnsbl.Compile([]dnsbl.ZoneConfig{{Name: blZone, Early: dnsbl.EarlyReject}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	res := dns("v=spf1 ip4:127.0.0.0/8 -all", "v=DMARC1; p=reject")
	res.Errors[blQuery] = resolver.Temporary(blQuery, "i/o timeout", true)
	e := newEngine(t, engine.Options{Resolver: res, DNSBL: c})
	if r := e.Early(t.Context(), txn.Conn{ClientIP: netip.MustParseAddr(clientIP)}, ""); r != nil {
		t.Errorf("Early = %v after a lookup timeout, want no decision", r)
	}
	out := mustEvaluate(t, e, transaction(t, plainMessage))
	if len(out.Facts.DNSBL) != 1 || out.Facts.DNSBL[0].Result != txn.ResultTemperror || out.Facts.DNSBL[0].Listed {
		t.Errorf("DNSBL facts %+v, want one temperror, not listed", out.Facts.DNSBL)
	}
	if out.Verdict.Action != txn.ActionAccept {
		t.Errorf("verdict %v %q rules %v, want accept", out.Verdict.Action, out.Verdict.Reply, out.Verdict.RuleIDs())
	}
}
