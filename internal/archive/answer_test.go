package archive

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"milter91/internal/txn"
)

// A record holds the header block as delivered, the search fields copied
// from it, the envelope and the verdict.
func TestNewRecord(t *testing.T) {
	out := &txn.Outcome{
		Verdict: txn.Verdict{Action: txn.ActionTag, Score: 6.5, Matches: []txn.Match{
			{ID: "D91_IN_UNLABELLED", Ref: "Decree 91/2020 Art. 18"},
			{ID: "D91_IN_CHANNELS", Ref: "Decree 91/2020 Art. 20.2, 18"},
			{ID: "SPF_FAIL", Ref: "RFC 7208 §8.4"},
		}},
		Facts: txn.Facts{Decree: txn.Decree{Direction: txn.DirectionInbound,
			DecreeAnalysis: txn.DecreeAnalysis{Advertising: true, Advertiser: "example.com"}}},
	}
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	a := txn.Answer{
		Time: at, QueueID: "QA1", MailFrom: "sender@example.com", Rcpts: []string{"rcpt@example.net"}, Size: 1234,
		Conn:    txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.2"), ClientName: "client.example.test", HELO: "helo.example.test"},
		Outcome: out, Action: txn.ActionTag,
		Headers: []txn.Header{{Name: "Authentication-Results", Value: " mx.example.net; spf=pass"},
			{Name: "From", Value: " Sender <Sender@Example.COM>"}, {Name: "Message-ID", Value: " <abc@example.com>"},
			{Name: "Subject", Value: " [QC]\r\n hello"}, {Name: "X-Decree91", Value: " ad; direction=inbound"}},
	}
	r := NewRecord(a)
	wantHeader := "Authentication-Results: mx.example.net; spf=pass\r\nFrom: Sender <Sender@Example.COM>\r\n" +
		"Message-ID: <abc@example.com>\r\nSubject: [QC]\r\n hello\r\nX-Decree91: ad; direction=inbound"
	if r.Header != wantHeader {
		t.Errorf("header block:\n%q\nwant\n%q", r.Header, wantHeader)
	}
	if !r.Time.Equal(at) || r.QueueID != "QA1" || r.ClientIP != "127.0.0.2" || r.ClientName != "client.example.test" ||
		r.HELO != "helo.example.test" || r.MailFrom != "sender@example.com" || !slices.Equal(r.Rcpts, []string{"rcpt@example.net"}) ||
		r.MessageID != "abc@example.com" || r.From != "sender@example.com" || r.Subject != "[QC] hello" || r.Action != "tag" ||
		r.Score != 6.5 || r.Direction != "inbound" || r.Advertiser != "example.com" || r.Size != 1234 || r.Reply != "" ||
		r.Stage != "" || r.BlockedClient {
		t.Errorf("record = %+v", r)
	}
	if !slices.Equal(r.Rules, []string{"D91_IN_UNLABELLED", "D91_IN_CHANNELS", "SPF_FAIL"}) ||
		!slices.Equal(r.Articles, []string{"Art. 18", "Art. 20.2"}) {
		t.Errorf("rules %v articles %v", r.Rules, r.Articles)
	}
	a.Rcpts[0] = "changed@example.net"
	if r.Rcpts[0] != "rcpt@example.net" {
		t.Error("the record shares its recipients with the answer")
	}
}

// A client refused at RCPT gives a record without a header block, of a
// blocked client.
func TestNewRecordRCPT(t *testing.T) {
	r := NewRecord(txn.Answer{Stage: txn.StageRCPT, Conn: txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.9")},
		Rcpts: []string{"a@example.net"}, Action: txn.ActionReject, Reply: txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "client listed"}})
	if r.Action != "reject" || r.Reply != "554 5.7.1 client listed" || r.ClientIP != "127.0.0.9" || r.Header != "" ||
		r.From != "" || r.MessageID != "" || !slices.Equal(r.Rcpts, []string{"a@example.net"}) || r.Stage != StageRCPT || !r.BlockedClient {
		t.Errorf("record = %+v", r)
	}
}

// A message counts as from a blocked client when it was refused while a
// blocklist or a block list listed the client address, and it was not an
// authenticated submission nor a fault; a refusal for what the message
// holds does not.
func TestNewRecordBlockedClient(t *testing.T) {
	listed := txn.Facts{DNSBL: []txn.DNSBL{{Zone: "bl.example.test", Listed: true, Sources: []string{"client"}}}}
	onList := txn.Facts{Lists: []txn.ListHit{{List: "national", Kind: "block", Sources: []string{"client"}}}}
	linkListed := txn.Facts{DNSBL: []txn.DNSBL{{Zone: "uribl.example.test", Listed: true, Sources: []string{"url"}}}}
	blockedZone := txn.Facts{DNSBL: []txn.DNSBL{{Zone: "bl.example.test", Listed: false, Blocked: true, Sources: []string{"client"}}}}
	for _, tc := range []struct {
		name   string
		action txn.Action
		facts  txn.Facts
		auth   string
		fault  string
		want   bool
	}{
		{name: "reject, IP blocklist", action: txn.ActionReject, facts: listed, want: true},
		{name: "tempfail, local block list", action: txn.ActionTempfail, facts: onList, want: true},
		{name: "reject for content", action: txn.ActionReject, facts: linkListed},
		{name: "reject, zone refused the query", action: txn.ActionReject, facts: blockedZone},
		{name: "listed but delivered", action: txn.ActionTag, facts: listed},
		{name: "authenticated submission", action: txn.ActionReject, facts: listed, auth: "alice"},
		{name: "the fail mode", action: txn.ActionTempfail, facts: listed, fault: "outcome"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &txn.Outcome{Verdict: txn.Verdict{Action: tc.action}, Facts: tc.facts}
			r := NewRecord(txn.Answer{Outcome: out, Action: tc.action, AuthUser: tc.auth, Fault: tc.fault})
			if r.BlockedClient != tc.want || r.Stage != "" {
				t.Errorf("record %+v, want BlockedClient %v", r, tc.want)
			}
		})
	}
}
