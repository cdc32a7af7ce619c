package rules

import (
	"net/netip"
	"testing"

	"milter91/internal/txn"
)

// trustedForwarder is the README's example: the operator trusts the
// mailing list lists.example.org, whose ARC chain vouches that the
// message passed DMARC before the list changed it (RFC 8617 §7.2).
const trustedForwarder = `rules:
  - id: DMARC_REJECT_INDIRECT
    override: true
    when:
      dmarc: fail
      dmarc_requested: reject
      authenticated: false
      any:
        - dkim: pass
        - spf: pass
        - arc: pass
        - header: {name: List-Id, exists: true}
      not:
        all:
          - arc_sealer: [lists.example.org]
          - arc_dmarc: pass
`

func TestTrustedForwarderRule(t *testing.T) {
	set := mustCompile(t, append(Defaults(), Source{Name: "local.yml", Data: []byte(trustedForwarder)})...)
	tx := &txn.Transaction{Conn: txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.2")}, MailFrom: "bounces@lists.example.org"}
	failing := txn.DMARC{Result: "fail", Domain: "example.com", Policy: "reject", Requested: "reject"}
	tests := []struct {
		name string
		arc  txn.ARC
		want txn.Action
	}{
		{"the trusted list vouches for a DMARC pass: accepted", txn.ARC{Result: "pass", Sealers: []string{"lists.example.org"}, DMARC: "pass"}, txn.ActionAccept},
		{"the trusted list saw a DMARC fail: quarantined", txn.ARC{Result: "pass", Sealers: []string{"lists.example.org"}, DMARC: "fail"}, txn.ActionQuarantine},
		{"another sealer: quarantined", txn.ARC{Result: "pass", Sealers: []string{"other.example.net"}, DMARC: "pass"}, txn.ActionQuarantine},
		{"a broken chain naming the list: rejected", txn.ARC{Result: "fail", Sealers: []string{"lists.example.org"}}, txn.ActionReject},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := set.Evaluate(tx, &txn.Facts{DMARC: failing, ARC: tc.arc})
			if v.Action != tc.want {
				t.Errorf("action %v (rules %v), want %v", v.Action, v.RuleIDs(), tc.want)
			}
		})
	}
}
