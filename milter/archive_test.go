package milter

import (
	"context"
	"slices"
	"sync"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/archive"
	"milter91/internal/txn"
)

// archiveSink collects archive records.
type archiveSink struct {
	mu   sync.Mutex
	recs []archive.Record
}

func (r *archiveSink) add(rec archive.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
}

func (r *archiveSink) all() []archive.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.recs)
}

// The archive gets the header block as delivered (our edits applied), the
// envelope and the verdict, for accepted and rejected mail alike.
func TestArchiveRecords(t *testing.T) {
	edits := []txn.HeaderEdit{
		{Op: txn.EditDelete, Name: "X-Spam-Flag", Index: 1},
		{Op: txn.EditInsert, Name: "Authentication-Results", Index: 1, Value: " mx.example.net; spf=pass"},
		{Op: txn.EditAdd, Name: "X-Decree91", Value: " ad; direction=inbound"},
	}
	out := &txn.Outcome{
		Verdict: txn.Verdict{Action: txn.ActionTag, Score: 6.5, Matches: []txn.Match{
			{ID: "D91_IN_UNLABELLED", Ref: "Decree 91/2020 Art. 18"},
			{ID: "D91_IN_CHANNELS", Ref: "Decree 91/2020 Art. 20.2, 18"},
			{ID: "SPF_FAIL", Ref: "RFC 7208 §8.4"},
		}},
		Facts: txn.Facts{Decree: txn.Decree{Direction: txn.DirectionInbound,
			DecreeAnalysis: txn.DecreeAnalysis{Advertising: true, Advertiser: "example.com"}}},
		Edits: edits,
	}
	ev := &fakeEval{fn: func(_ context.Context, _ *txn.Transaction) (*txn.Outcome, error) { return out, nil }}
	rec := &archiveSink{}
	addr, _, _ := startServer(t, Options{Archive: rec.add}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.test")
	msg := simple("QA1")
	msg.headers = [][2]string{{"X-Spam-Flag", " YES"}, {"From", " Sender <Sender@Example.COM>"},
		{"Message-ID", " <abc@example.com>"}, {"Subject", " [QC]\r\n hello"}}
	if _, act := m.send(msg); act.Type != gomilter.ActionAccept {
		t.Fatalf("action %v", act)
	}
	recs := rec.all()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	wantHeader := "Authentication-Results: mx.example.net; spf=pass\r\nFrom: Sender <Sender@Example.COM>\r\n" +
		"Message-ID: <abc@example.com>\r\nSubject: [QC]\r\n hello\r\nX-Decree91: ad; direction=inbound"
	if r.Header != wantHeader {
		t.Errorf("header block:\n%q\nwant\n%q", r.Header, wantHeader)
	}
	if r.QueueID != "QA1" || r.ClientIP != "127.0.0.2" || r.HELO != "helo.example.test" || r.MailFrom != "sender@example.com" ||
		!slices.Equal(r.Rcpts, []string{"rcpt@example.net"}) || r.MessageID != "abc@example.com" || r.From != "sender@example.com" ||
		r.Subject != "[QC] hello" || r.Action != "tag" || r.Score != 6.5 || r.Direction != "inbound" || r.Advertiser != "example.com" {
		t.Errorf("record = %+v", r)
	}
	if !slices.Equal(r.Rules, []string{"D91_IN_UNLABELLED", "D91_IN_CHANNELS", "SPF_FAIL"}) ||
		!slices.Equal(r.Articles, []string{"Art. 18", "Art. 20.2"}) {
		t.Errorf("rules %v articles %v", r.Rules, r.Articles)
	}
}

// A client rejected at RCPT leaves one record without a header block.
func TestArchiveEarlyReject(t *testing.T) {
	reply := &txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "client listed"}
	rec := &archiveSink{}
	addr, _, _ := startServer(t, Options{Archive: rec.add}, &fakeEval{early: reply})
	m := dialMTA(t, addr)
	m.connect("127.0.0.9", "client.example.test")
	m.mustContinue(m.s.Mail("spammer@example.com", ""))
	for _, rcpt := range []string{"a@example.net", "b@example.net"} {
		if act, err := m.s.Rcpt(rcpt, ""); err != nil || act.Type != gomilter.ActionRejectWithCode {
			t.Fatalf("RCPT %s: %+v %v", rcpt, act, err)
		}
	}
	recs := rec.all()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1 per rejected client", len(recs))
	}
	r := recs[0]
	if r.Action != "reject" || r.Reply != "554 5.7.1 client listed" || r.ClientIP != "127.0.0.9" || r.Header != "" ||
		!slices.Equal(r.Rcpts, []string{"a@example.net"}) || r.Stage != archive.StageRCPT || !r.BlockedClient {
		t.Errorf("record = %+v", r)
	}
}

// A message counts as from a blocked client when it was refused while a
// blocklist or a block list listed the client address, and it was not an
// authenticated submission; a refusal for what the message holds does not.
func TestArchiveBlockedClient(t *testing.T) {
	listed := txn.Facts{DNSBL: []txn.DNSBL{{Zone: "bl.example.test", Listed: true, Sources: []string{"client"}}}}
	onList := txn.Facts{Lists: []txn.ListHit{{List: "national", Kind: "block", Sources: []string{"client"}}}}
	linkListed := txn.Facts{DNSBL: []txn.DNSBL{{Zone: "uribl.example.test", Listed: true, Sources: []string{"url"}}}}
	blockedZone := txn.Facts{DNSBL: []txn.DNSBL{{Zone: "bl.example.test", Listed: false, Blocked: true, Sources: []string{"client"}}}}
	for _, tc := range []struct {
		name   string
		action txn.Action
		facts  txn.Facts
		auth   string
		want   bool
	}{
		{name: "reject, IP blocklist", action: txn.ActionReject, facts: listed, want: true},
		{name: "tempfail, local block list", action: txn.ActionTempfail, facts: onList, want: true},
		{name: "reject for content", action: txn.ActionReject, facts: linkListed},
		{name: "reject, zone refused the query", action: txn.ActionReject, facts: blockedZone},
		{name: "listed but delivered", action: txn.ActionTag, facts: listed},
		{name: "authenticated submission", action: txn.ActionReject, facts: listed, auth: "alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &txn.Outcome{Verdict: txn.Verdict{Action: tc.action}, Facts: tc.facts}
			switch tc.action {
			case txn.ActionReject:
				out.Verdict.Reply = txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "no"}
			case txn.ActionTempfail:
				out.Verdict.Reply = txn.Reply{Code: 451, Enhanced: "4.7.1", Text: "later"}
			}
			ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) { return out, nil }}
			rec := &archiveSink{}
			addr, _, _ := startServer(t, Options{Archive: rec.add}, ev)
			m := dialMTA(t, addr)
			m.connect("127.0.0.2", "helo.example.test")
			m.macros.Set(gomilter.MacroAuthAuthen, tc.auth)
			m.send(simple("QB1"))
			if recs := rec.all(); len(recs) != 1 || recs[0].BlockedClient != tc.want || recs[0].Stage != "" {
				t.Errorf("records %+v, want one with BlockedClient %v", recs, tc.want)
			}
		})
	}
}
