package spamreport

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"milter91/internal/arf"
	"milter91/internal/pgtest"
	"milter91/internal/registry"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func forEachBackend(t *testing.T, fn func(t *testing.T, s *Store)) {
	for _, b := range pgtest.Backends("reports.db") {
		t.Run(b.Name, func(t *testing.T) {
			s, err := Open(context.Background(), b.Target(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}

// fakeRefusals records the refusals it is given; invalid makes them fail
// as the registry refuses bad input, err as a store failure.
type fakeRefusals struct {
	got     []registry.Refusal
	invalid bool
	err     error
}

func (f *fakeRefusals) AddRefusal(_ context.Context, r registry.Refusal) error {
	switch {
	case f.err != nil:
		return f.err
	case f.invalid:
		return &registry.InvalidError{}
	}
	f.got = append(f.got, r)
	return nil
}

type fakeFeedback map[string][]string

func (f fakeFeedback) Recipients(_ context.Context, id string) ([]string, error) { return f[id], nil }

func report(t *testing.T, feedback, rcpt, header string) *arf.Report {
	t.Helper()
	msg := "Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: " + feedback + "\r\n"
	if rcpt != "" {
		msg += "Original-Rcpt-To: <" + rcpt + ">\r\n"
	}
	msg += "--b\r\nContent-Type: message/rfc822\r\n\r\n" + header + "\r\nbody\r\n--b--\r\n"
	r, err := arf.Parse(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const adHeader = "From: Shop <news@mail.shop.example.com>\r\nSubject: [QC] Sale\r\nMessage-ID: <m1@example.com>\r\n" +
	"X-Decree91: ad; direction=inbound; label=ok\r\n"

// A report about an ad is a refusal of that advertiser by that
// recipient, kept with its evidence and counted.
func TestReportAboutAdRefuses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		refusals := &fakeRefusals{}
		in := &Intake{Store: s, Refusals: refusals, Now: func() time.Time { return t0 }}
		rec, err := in.Take(context.Background(), SourceARF, report(t, "abuse", "User@example.net", adHeader), "")
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Ad || !rec.Refused || rec.Recipient != "user@example.net" || rec.Advertiser != "example.com" || rec.ID == 0 {
			t.Fatalf("record %+v", rec)
		}
		if len(refusals.got) != 1 || refusals.got[0].Advertiser != "example.com" || refusals.got[0].Recipient != "user@example.net" ||
			refusals.got[0].Channel != registry.ChannelEmail || !strings.Contains(refusals.got[0].Evidence, "m1@example.com") {
			t.Fatalf("refusals %+v", refusals.got)
		}
		ev, err := s.Evidence(context.Background(), rec.ID)
		if err != nil || !bytes.Contains(ev, []byte("Subject: [QC] Sale")) {
			t.Fatalf("evidence %q, %v", ev, err)
		}
		c, err := s.Count(context.Background(), t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil || c.Total != 1 || c.ByType["abuse"] != 1 || c.Ads != 1 || c.Refusals != 1 || c.Unmapped != 0 {
			t.Fatalf("counts %+v, %v", c, err)
		}
	})
}

// Not about an ad, or a not-spam report: kept and counted, no refusal.
func TestReportWithoutRefusal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		refusals := &fakeRefusals{}
		in := &Intake{Store: s, Refusals: refusals, Now: func() time.Time { return t0 }}
		personal := "From: Friend <friend@example.org>\r\nSubject: hello\r\n"
		for _, rep := range []*arf.Report{report(t, "abuse", "user@example.net", personal), report(t, "not-spam", "user@example.net", adHeader)} {
			rec, err := in.Take(context.Background(), SourceARF, rep, "")
			if err != nil || rec.Refused {
				t.Fatalf("record %+v, %v", rec, err)
			}
		}
		if len(refusals.got) != 0 {
			t.Fatalf("refusals %+v", refusals.got)
		}
		list, err := s.List(context.Background(), t0.Add(-time.Hour), t0.Add(time.Hour), 0, 10)
		if err != nil || len(list) != 2 || list[0].Ad || !list[1].Ad || list[1].FeedbackType != "not-spam" {
			t.Fatalf("list %+v, %v", list, err)
		}
	})
}

// A redacted feedback-loop report is mapped back through the reported
// message's Feedback-ID; without a mapping it is kept without recipient.
func TestRedactedReportFeedbackID(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		refusals := &fakeRefusals{}
		in := &Intake{Store: s, Refusals: refusals, Feedback: fakeFeedback{"c1:example.com:d91:milter91": {"bob@example.net"}},
			Now: func() time.Time { return t0 }}
		rec, err := in.Take(context.Background(), SourceARF, report(t, "abuse", "", adHeader+"Feedback-ID: c1:example.com:d91:milter91\r\n"), "")
		if err != nil || rec.Recipient != "bob@example.net" || rec.RecipientFrom != "feedback-id" || !rec.Refused {
			t.Fatalf("mapped: %+v, %v", rec, err)
		}
		rec, err = in.Take(context.Background(), SourceARF, report(t, "abuse", "", adHeader+"Feedback-ID: unknown:x\r\n"), "")
		if err != nil || rec.Recipient != "" || rec.Refused {
			t.Fatalf("unmapped: %+v, %v", rec, err)
		}
		c, _ := s.Count(context.Background(), t0.Add(-time.Hour), t0.Add(time.Hour))
		if c.Unmapped != 1 || c.Refusals != 1 {
			t.Fatalf("counts %+v", c)
		}
	})
}

// A refusal the registry refuses is logged, the report kept; a registry
// failure is returned and nothing is stored.
func TestRefusalFailures(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		in := &Intake{Store: s, Refusals: &fakeRefusals{invalid: true}, Now: func() time.Time { return t0 }}
		rec, err := in.Take(context.Background(), SourceAPI, report(t, "abuse", "user@example.net", adHeader), "")
		if err != nil || rec.Refused || rec.ID == 0 {
			t.Fatalf("invalid refusal: %+v, %v", rec, err)
		}
		down := errors.New("registry down")
		in.Refusals = &fakeRefusals{err: down}
		if _, err := in.Take(context.Background(), SourceAPI, report(t, "abuse", "user@example.net", adHeader), ""); !errors.Is(err, down) {
			t.Fatalf("registry failure: %v", err)
		}
		c, _ := s.Count(context.Background(), t0.Add(-time.Hour), t0.Add(time.Hour))
		if c.Total != 1 {
			t.Fatalf("stored %d reports, want 1", c.Total)
		}
	})
}

// RFC 5965 B.2: a report about a message without ad marks is kept, no refusal.
func TestRFC5965Report(t *testing.T) {
	data, err := os.ReadFile("testdata/rfc5965-b2.eml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := arf.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, s *Store) {
		in := &Intake{Store: s, Refusals: &fakeRefusals{}, Now: func() time.Time { return t0 }}
		rec, err := in.Take(context.Background(), SourceARF, rep, "")
		if err != nil || rec.Recipient != "user@example.com" || rec.Sender != "somespammer@example.net" ||
			rec.Advertiser != "example.net" || rec.Ad || rec.MessageID != "8787KJKJ3K4J3K4J3K4J3.mail@example.net" {
			t.Fatalf("record %+v, %v", rec, err)
		}
	})
}

// A Feedback-ID stamped on an outbound ad maps a redacted report back to
// its recipient, through the store.
func TestFeedbackIDRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		fid, err := s.NewFeedbackID(ctx, "Bob@example.org", "example.com", t0)
		if err != nil || !strings.HasSuffix(fid, ":example.com:d91:milter91") {
			t.Fatalf("NewFeedbackID = %q, %v", fid, err)
		}
		if got, err := s.Recipients(ctx, fid); err != nil || len(got) != 1 || got[0] != "bob@example.org" {
			t.Fatalf("Recipients(%q) = %v, %v", fid, got, err)
		}
		for _, other := range []string{"c1:example.com:d91:milter91", "0123456789abcdef:example.com:d91:milter91", "campaign:x:y:esp"} {
			if got, err := s.Recipients(ctx, other); err != nil || got != nil {
				t.Errorf("Recipients(%q) = %v, %v; want none", other, got, err)
			}
		}
		in := &Intake{Store: s, Refusals: &fakeRefusals{}, Feedback: s, Now: func() time.Time { return t0 }}
		rec, err := in.Take(ctx, SourceARF, report(t, "abuse", "", adHeader+"Feedback-ID: "+fid+"\r\n"), "")
		if err != nil || rec.Recipient != "bob@example.org" || rec.RecipientFrom != "feedback-id" || !rec.Refused {
			t.Fatalf("redacted report: %+v, %v", rec, err)
		}
	})
}
