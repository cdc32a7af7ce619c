package dmarcfail

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"milter91/internal/arf"
	"milter91/internal/dmarc"
	"milter91/internal/txn"
)

// allowAll allows every ruf URI; when started is set it signals each
// call and waits for release.
type allowAll struct {
	started chan string
	release chan struct{}
}

func (v *allowAll) FailureDestinations(ctx context.Context, domain string, ruf []string) ([]dmarc.Destination, error) {
	if v.started != nil {
		v.started <- domain
		<-v.release
	}
	var out []dmarc.Destination
	for _, u := range ruf {
		out = append(out, dmarc.Destination{URI: u, Allowed: true})
	}
	return out, nil
}

// failing is an answer whose From domain failed DMARC under a record
// with ruf.
func failing(domain string, ruf ...string) txn.Answer {
	out := &txn.Outcome{}
	out.Facts.DMARC = txn.DMARC{Result: txn.ResultFail, Domain: domain, PolicyDomain: domain,
		Record: &txn.DMARCRecord{P: "reject", FO: "0", RUF: ruf}}
	return txn.Answer{Time: time.Date(2026, 12, 8, 5, 0, 0, 0, time.UTC), MailFrom: "x@" + domain, Outcome: out, Action: txn.ActionReject,
		Headers: []txn.Header{{Name: "From", Value: " someone@" + domain}}}
}

type sent struct {
	ch chan []byte
}

func (s *sent) send(_ context.Context, msg []byte) error { s.ch <- msg; return nil }

func newTest(t *testing.T, cfg Config, v Verifier, now func() time.Time) (*Reporter, *sent) {
	s := &sent{ch: make(chan []byte, 16)}
	r := New(cfg, v, s.send, slog.New(slog.NewTextHandler(io.Discard, nil)), now)
	t.Cleanup(func() { r.Close(context.Background()) })
	return r, s
}

// reportedDomain parses msg and returns its Reported-Domain.
func reportedDomain(t *testing.T, msg []byte) string {
	t.Helper()
	rep, err := arf.Parse(bytes.NewReader(msg))
	if err != nil || len(rep.ReportedDomain) != 1 {
		t.Fatalf("%v: %s", err, msg)
	}
	return rep.ReportedDomain[0]
}

// TestReporterSendsOnlyWanted: a pass, a fail without ruf, a fail with
// fo=d and no failed signature, a deferral and a nil Reporter send
// nothing; the fail with ruf that follows them is the first report.
func TestReporterSendsOnlyWanted(t *testing.T) {
	var off *Reporter
	off.Answered(failing("example.com", "mailto:ruf@example.com")) // off: no panic, nothing
	r, s := newTest(t, Config{From: "r@mx.example.net", ReportingMTA: "mx.example.net", Redact: true}, &allowAll{}, nil)
	pass := failing("pass.example")
	pass.Outcome.Facts.DMARC.Result = txn.ResultPass
	pass.Outcome.Facts.DMARC.Record.RUF = []string{"mailto:ruf@pass.example"}
	foD := failing("fod.example", "mailto:ruf@fod.example")
	foD.Outcome.Facts.DMARC.Record.FO = "d"
	deferred := failing("deferred.example", "mailto:ruf@deferred.example")
	deferred.Action = txn.ActionTempfail
	for _, a := range []txn.Answer{pass, failing("noruf.example"), foD, deferred, failing("example.com", "mailto:ruf@example.com")} {
		r.Answered(a)
	}
	if got := reportedDomain(t, <-s.ch); got != "example.com" {
		t.Errorf("first report for %q, want example.com", got)
	}
	foD.Outcome.Facts.DKIM = []txn.DKIM{{Result: txn.ResultFail, Domain: "fod.example"}}
	r.Answered(foD)
	if got := reportedDomain(t, <-s.ch); got != "fod.example" {
		t.Errorf("fo=d with a failed signature: report for %q", got)
	}
}

// TestReporterRateLimit: PerDomainHour reports per domain per clock
// hour; another domain has its own count; the next hour starts over.
func TestReporterRateLimit(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 8, 5, 10, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	r, s := newTest(t, Config{PerDomainHour: 2, ReportingMTA: "mx.example.net"}, &allowAll{}, clock)
	for range 3 {
		r.Answered(failing("example.com", "mailto:ruf@example.com"))
	}
	r.Answered(failing("example.org", "mailto:ruf@example.org"))
	if r.Limited() != 1 {
		t.Fatalf("limited = %d, want 1", r.Limited())
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	r.Answered(failing("example.com", "mailto:ruf@example.com"))
	if r.Limited() != 1 {
		t.Errorf("limited = %d after the hour turned, want 1", r.Limited())
	}
	got := map[string]int{}
	for range 4 {
		got[reportedDomain(t, <-s.ch)]++
	}
	if got["example.com"] != 3 || got["example.org"] != 1 {
		t.Errorf("reports per domain: %v", got)
	}
}

// TestReporterQueueFull: with the sender busy and the queue full, the
// next report is dropped at once and counted.
func TestReporterQueueFull(t *testing.T) {
	v := &allowAll{started: make(chan string), release: make(chan struct{})}
	r, s := newTest(t, Config{Queue: 1, PerDomainHour: 10}, v, nil)
	r.Answered(failing("a.example", "mailto:ruf@a.example"))
	<-v.started // the sender holds the first
	r.Answered(failing("b.example", "mailto:ruf@b.example"))
	r.Answered(failing("c.example", "mailto:ruf@c.example"))
	if r.Dropped() != 1 {
		t.Errorf("dropped = %d, want 1", r.Dropped())
	}
	close(v.release)
	<-v.started
	if d1, d2 := reportedDomain(t, <-s.ch), reportedDomain(t, <-s.ch); d1 != "a.example" || d2 != "b.example" {
		t.Errorf("sent %s, %s", d1, d2)
	}
}
