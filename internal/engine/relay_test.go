package engine_test

import (
	"net/netip"
	"testing"

	"milter91/internal/engine"
	"milter91/internal/txn"
)

// relayed is plainMessage as the primary MX gets it from the backup MX
// (127.0.0.10): the backup's Received field names the original client,
// below it one the spammer forged.
const relayed = "Received: from spam.example.test (unknown [127.0.0.2])\r\n" +
	"\tby backup.example.net (Postfix) with ESMTP id 4Xy1; Mon, 01 Jan 2024 00:00:00 +0000\r\n" +
	"Received: from trusted.example.net (unknown [127.0.0.10]) by forged.example.test\r\n" +
	plainMessage

// TestTrustedRelay: behind a trusted relay the blocklist and SPF judge
// the client the relay's Received field names (listed: rejected; SPF
// passes for it only); without trusted_networks, or from a client that
// is not trusted, the relay itself is judged and a forged Received field
// is never read.
func TestTrustedRelay(t *testing.T) {
	trusted := engine.Trusted{netip.MustParsePrefix("127.0.0.8/29")}
	tests := []struct {
		name     string
		trusted  engine.Trusted
		client   string
		action   txn.Action
		relay    string
		external string
	}{
		{"behind the backup MX", trusted, "127.0.0.10", txn.ActionReject, "127.0.0.10", "127.0.0.2"},
		{"no trusted networks", nil, "127.0.0.10", txn.ActionAccept, "", ""},
		{"untrusted client with forged Received", trusted, "127.0.0.3", txn.ActionAccept, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := listedEngine(t, "v=spf1 ip4:127.0.0.2 -all", engine.Options{Trusted: tc.trusted})
			tr := transaction(t, relayed)
			tr.Conn.ClientIP = netip.MustParseAddr(tc.client)
			out := mustEvaluate(t, e, tr)
			if out.Verdict.Action != tc.action || out.Facts.Relay != tc.relay || out.Facts.ExternalIP != tc.external {
				t.Fatalf("action %v relay %q external %q, want %v %q %q", out.Verdict.Action, out.Facts.Relay,
					out.Facts.ExternalIP, tc.action, tc.relay, tc.external)
			}
			wantSPF := txn.ResultFail
			if tc.external != "" {
				wantSPF = txn.ResultPass
			}
			if out.Facts.SPF.Result != wantSPF {
				t.Errorf("SPF %s, want %s", out.Facts.SPF.Result, wantSPF)
			}
			if tr.Conn.ClientIP.String() != tc.client {
				t.Errorf("the transaction's client changed to %v", tr.Conn.ClientIP)
			}
		})
	}
}

// TestTrustedChainEnds: a chain of trusted hosts only, or one that ends
// in a field without a sender address, leaves the relay as the client.
func TestTrustedChainEnds(t *testing.T) {
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.10 -all", ""),
		Trusted: engine.Trusted{netip.MustParsePrefix("127.0.0.8/29")}})
	for _, msg := range []string{
		"Received: by backup.example.net (Postfix, from userid 0) id 4Xy1; Mon, 01 Jan 2024 00:00:00 +0000\r\n" + plainMessage,
		"Received: from a (unknown [127.0.0.11]) by backup\r\nReceived: from b (unknown [127.0.0.12]) by a\r\n" + plainMessage,
	} {
		tr := transaction(t, msg)
		tr.Conn.ClientIP = netip.MustParseAddr("127.0.0.10")
		out := mustEvaluate(t, e, tr)
		if out.Facts.Relay != "" || out.Facts.SPF.Result != txn.ResultPass {
			t.Errorf("relay %q SPF %s, want the relay judged (pass)", out.Facts.Relay, out.Facts.SPF.Result)
		}
	}
}

// listedEngine is newEngine with opt, the sender domain's SPF record spf
// and the blocklist zone listing 127.0.0.2.
func listedEngine(t *testing.T, spf string, opt engine.Options) *engine.Engine {
	t.Helper()
	res := dns(spf, "")
	res.A[blQuery] = []netip.Addr{netip.MustParseAddr("127.0.0.2")}
	opt.Resolver, opt.DNSBL = res, checker(t, false)
	return newEngine(t, opt)
}
