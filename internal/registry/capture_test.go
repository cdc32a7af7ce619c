package registry

import (
	"context"
	"slices"
	"testing"
	"time"
)

// An inbound ad to a local user names a refusal mailbox; the user later
// writes to it: that is a refusal of the advertiser, effective at once.
func TestCaptureFlow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		const user = "reader@example.net"
		if err := s.RecordRefusalMailboxes(ctx, adv, "Reader@Example.NET", []string{"Unsubscribe@Example.com", "not a mailbox"}, t0); err != nil {
			t.Fatalf("RecordRefusalMailboxes: %v", err)
		}
		if err := s.RecordRefusalMailboxes(ctx, adv2, user, []string{"unsubscribe@example.com"}, t0); err != nil {
			t.Fatalf("RecordRefusalMailboxes: %v", err)
		}
		if err := s.RecordRefusalMailboxes(ctx, adv, "someone@example.net", []string{"optout@example.com"}, t0); err != nil {
			t.Fatalf("RecordRefusalMailboxes: %v", err)
		}
		tests := []struct {
			name   string
			sender string
			rcpt   string
			want   []string
		}{
			{name: "mail to an unrelated address", sender: user, rcpt: "friend@example.org", want: nil},
			{name: "another user's refusal mailbox", sender: user, rcpt: "optout@example.com", want: nil},
			{name: "other sender to the mailbox", sender: "someone@example.net", rcpt: "unsubscribe@example.com", want: nil},
			{name: "the user writes to the mailbox", sender: "<READER@example.net>", rcpt: "UNSUBSCRIBE@example.com", want: []string{adv, adv2}},
		}
		for _, tt := range tests {
			got, err := s.CaptureRefusal(ctx, tt.sender, tt.rcpt, t0.Add(time.Hour))
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v %v, want %v", tt.name, got, err, tt.want)
			}
		}
		for _, a := range []string{adv, adv2} {
			if _, _, refused := recipient(t, s, a, user, nil, t0.Add(time.Hour+time.Second)); !refused {
				t.Errorf("%s: not refused after capture", a)
			}
		}
		if _, _, refused := recipient(t, s, adv, "someone@example.net", nil, t0.Add(2*time.Hour)); refused {
			t.Error("the other recipient was refused too")
		}
		rs, err := s.ListRefusals(ctx, Filter{Recipient: user, Advertiser: adv})
		if err != nil || len(rs) != 1 {
			t.Fatalf("ListRefusals: %v %v", rs, err)
		}
		want := Refusal{Advertiser: adv, Recipient: user, Scope: ScopeAll, Time: t0.Add(time.Hour), Channel: ChannelCaptured,
			Evidence: "mail to unsubscribe@example.com", LastUsedAt: t0.Add(time.Hour)}
		if rs[0] != want {
			t.Errorf("captured refusal %+v, want %+v", rs[0], want)
		}
	})
}

func TestCaptureBadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		if err := s.RecordRefusalMailboxes(ctx, "", rcpt, []string{"u@example.com"}, t0); err == nil {
			t.Error("RecordRefusalMailboxes with empty advertiser: no error")
		}
		if err := s.RecordRefusalMailboxes(ctx, adv, "bad", []string{"u@example.com"}, t0); err == nil {
			t.Error("RecordRefusalMailboxes with bad recipient: no error")
		}
		if _, err := s.CaptureRefusal(ctx, "", "u@example.com", t0); err == nil {
			t.Error("CaptureRefusal with empty sender: no error")
		}
	})
}

// A mailbox seen again within a day costs no write: seen_at moves on only
// after touchInterval.
func TestRecordRefusalMailboxesRefreshDaily(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		seenAt := func() time.Time {
			var ms int64
			if err := s.db.R.QueryRowContext(ctx, `SELECT seen_at FROM refusal_mailboxes`).Scan(&ms); err != nil {
				t.Fatal(err)
			}
			return fromMS(ms)
		}
		for _, tc := range []struct {
			at, want time.Time
		}{
			{at: t0, want: t0},
			{at: t0.Add(time.Hour), want: t0},
			{at: t0.Add(25 * time.Hour), want: t0.Add(25 * time.Hour)},
		} {
			if err := s.RecordRefusalMailboxes(ctx, adv, "reader@example.net", []string{"unsub@example.com"}, tc.at); err != nil {
				t.Fatal(err)
			}
			if got := seenAt(); !got.Equal(tc.want) {
				t.Errorf("after a record at %v: seen_at %v, want %v", tc.at, got, tc.want)
			}
		}
	})
}

// A shared mailbox provider is never an advertiser: nothing is remembered
// under gmail.com, and a row remembered before the check captures nothing,
// so one gmail.com user's refusal cannot stop every gmail.com sender.
func TestCaptureNeverSharedProvider(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		const user = "reader@example.net"
		if err := s.RecordRefusalMailboxes(ctx, "gmail.com", user, []string{"shop@gmail.com"}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.W.ExecContext(ctx, s.q(`INSERT INTO refusal_mailboxes (mailbox, recipient, advertiser, seen_at)
			VALUES (?, ?, ?, ?)`), "old@yahoo.com", user, "yahoo.com", ms(t0)); err != nil {
			t.Fatal(err)
		}
		for _, box := range []string{"shop@gmail.com", "old@yahoo.com"} {
			if got, err := s.CaptureRefusal(ctx, user, box, t0.Add(time.Hour)); err != nil || len(got) != 0 {
				t.Errorf("mail to %s: captured %v %v, want nothing", box, got, err)
			}
		}
		if rs, err := s.ListRefusals(ctx, Filter{}); err != nil || len(rs) != 0 {
			t.Errorf("refusals %v %v, want none", rs, err)
		}
	})
}
