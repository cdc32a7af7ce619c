package registry

import (
	"context"
	"testing"
	"time"

	"milter91/internal/txn"
)

const day = 24 * time.Hour

func TestPruneRefusesShortRetention(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		tests := []struct {
			retention time.Duration
			wantErr   bool
		}{
			{retention: 0, wantErr: true},
			{retention: 364 * day, wantErr: true},
			{retention: MinRetention - time.Millisecond, wantErr: true},
			{retention: MinRetention, wantErr: false},
			{retention: DefaultRetention, wantErr: false},
		}
		for _, tt := range tests {
			if _, err := s.Prune(context.Background(), t0, tt.retention); (err != nil) != tt.wantErr {
				t.Errorf("retention %s: err=%v, want error=%v", tt.retention, err, tt.wantErr)
			}
		}
	})
}

// Art. 11.7: records are kept for the retention after their last use;
// sends only as long as a 24 h window can count them.
func TestPruneRespectsRetention(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		const unused, used = "unused@example.net", "used@example.net"
		for _, a := range []string{unused, used} {
			addConsent(t, s, Consent{Advertiser: adv, Recipient: a, Method: MethodForm, Time: t0})
			addRefusal(t, s, Refusal{Advertiser: adv2, Recipient: a, Scope: ScopeAll, Time: t0, Channel: ChannelWeb})
		}
		if err := s.RecordRefusalMailboxes(ctx, adv, unused, []string{"optout@example.com"}, t0); err != nil {
			t.Fatal(err)
		}
		useAt := t0.Add(100 * day)
		recipient(t, s, adv, used, nil, useAt)  // uses the consent
		recipient(t, s, adv2, used, nil, useAt) // uses the refusal
		reserve(t, s, adv, used, txn.DirectionInbound, 3, useAt)
		reserve(t, s, adv, used, txn.DirectionInbound, 3, useAt.Add(23*time.Hour))

		tests := []struct {
			name string
			now  time.Time
			want PruneStats
		}{
			{name: "one day after the first send", now: useAt.Add(day), want: PruneStats{Sends: 1}},
			{name: "exactly the retention after creation", now: t0.Add(DefaultRetention), want: PruneStats{Sends: 1}},
			{name: "1 ms later: unused records go", now: t0.Add(DefaultRetention + time.Millisecond), want: PruneStats{Consents: 1, Mailboxes: 1}},
			{name: "the retention after the last use", now: useAt.Add(DefaultRetention + time.Millisecond), want: PruneStats{Consents: 1}},
		}
		for _, tt := range tests {
			got, err := s.Prune(ctx, tt.now, DefaultRetention)
			if err != nil || got != tt.want {
				t.Errorf("%s: %+v %v, want %+v", tt.name, got, err, tt.want)
			}
		}
		cs, _ := s.ListConsents(ctx, Filter{})
		rs, _ := s.ListRefusals(ctx, Filter{})
		if len(cs) != 0 || len(rs) != 2 {
			t.Errorf("left %d consents and %d refusals, want 0 and 2 (refusals are never pruned)", len(cs), len(rs))
		}
	})
}

// A refusal stands until the same recipient gives a newer consent
// (Art. 13.4, 20.3): years of disuse and every prune leave it in force;
// only the recipient's later consent lifts it.
func TestRefusalNeverExpires(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: ScopeAll, Time: t0, Channel: ChannelEmail})
		for _, years := range []int{1, 2, 10} {
			now := t0.Add(time.Duration(years) * 366 * day)
			if _, err := s.Prune(ctx, now, DefaultRetention); err != nil {
				t.Fatal(err)
			}
			if _, _, refused := recipient(t, s, adv, rcpt, nil, now); !refused {
				t.Fatalf("%d years unused and pruned: not refused any more", years)
			}
		}
		later := t0.Add(11 * 366 * day)
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: later})
		if consent, _, refused := recipient(t, s, adv, rcpt, nil, later.Add(time.Second)); !consent || refused {
			t.Errorf("after a newer consent: consent=%v refused=%v, want true false", consent, refused)
		}
	})
}
