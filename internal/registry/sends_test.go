package registry

import (
	"context"
	"sync"
	"testing"
	"time"

	"milter91/internal/txn"
)

// Art. 13.5: with a consent and the default cap, three ads pass in 24 h
// and the fourth is not reserved (the engine defers it).
func TestThreeAdsPassFourthDefers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0.Add(-time.Hour)})
		tests := []struct {
			at           time.Duration
			wantBefore   int
			wantReserved bool
		}{
			{at: 0, wantBefore: 0, wantReserved: true},
			{at: time.Minute, wantBefore: 1, wantReserved: true},
			{at: 2 * time.Minute, wantBefore: 2, wantReserved: true},
			{at: 3 * time.Minute, wantBefore: 3, wantReserved: false},
			{at: 4 * time.Minute, wantBefore: 3, wantReserved: false},
		}
		for i, tt := range tests {
			now := t0.Add(tt.at)
			consent, capacity, refused := recipient(t, s, adv, rcpt, nil, now)
			if !consent || refused || capacity != 3 {
				t.Fatalf("ad %d: consent=%v refused=%v cap=%d, want true false 3", i+1, consent, refused, capacity)
			}
			n, res := reserve(t, s, adv, rcpt, txn.DirectionOutbound, capacity, now)
			if n != tt.wantBefore || res.Reserved() != tt.wantReserved {
				t.Errorf("ad %d: sentBefore=%d reserved=%v, want %d %v", i+1, n, res.Reserved(), tt.wantBefore, tt.wantReserved)
			}
		}
	})
}

// The window is (now-24h, now]: a send at T stops counting 24 h later.
func TestWindowRolls(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		for _, at := range []time.Duration{0, time.Hour, 2 * time.Hour} {
			if _, res := reserve(t, s, adv, rcpt, txn.DirectionInbound, 3, t0.Add(at)); !res.Reserved() {
				t.Fatalf("setup send at +%s not reserved", at)
			}
		}
		tests := []struct {
			name         string
			at           time.Duration
			wantBefore   int
			wantReserved bool
		}{
			{name: "1 ms before the first send leaves the window", at: 24*time.Hour - time.Millisecond, wantBefore: 3},
			{name: "1 ms after", at: 24*time.Hour + time.Millisecond, wantBefore: 2, wantReserved: true},
			{name: "the new send counts", at: 24*time.Hour + 2*time.Millisecond, wantBefore: 3},
			{name: "second send left too", at: 25*time.Hour + time.Millisecond, wantBefore: 2, wantReserved: true},
			{name: "all old sends gone", at: 48 * time.Hour, wantBefore: 2, wantReserved: true},
		}
		for _, tt := range tests {
			n, res := reserve(t, s, adv, rcpt, txn.DirectionInbound, 3, t0.Add(tt.at))
			if n != tt.wantBefore || res.Reserved() != tt.wantReserved {
				t.Errorf("%s: sentBefore=%d reserved=%v, want %d %v", tt.name, n, res.Reserved(), tt.wantBefore, tt.wantReserved)
			}
		}
	})
}

// Counts are per advertiser and recipient (case-insensitively), in every
// direction: Art. 13.5 counts the ads the recipient receives.
func TestReserveSendKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		reserve(t, s, adv, rcpt, txn.DirectionOutbound, 3, t0)
		tests := []struct {
			name       string
			advertiser string
			addr       string
			direction  string
			wantBefore int
		}{
			{name: "same pair other case", advertiser: "EXAMPLE.COM.", addr: "<User@Example.NET>", direction: txn.DirectionOutbound, wantBefore: 1},
			{name: "other direction", advertiser: adv, addr: rcpt, direction: txn.DirectionInbound, wantBefore: 2},
			{name: "other advertiser", advertiser: adv2, addr: rcpt, direction: txn.DirectionOutbound, wantBefore: 0},
			{name: "other recipient", advertiser: adv, addr: "other@example.net", direction: txn.DirectionOutbound, wantBefore: 0},
		}
		for i, tt := range tests {
			n, _ := reserve(t, s, tt.advertiser, tt.addr, tt.direction, 10, t0.Add(time.Duration(i+1)*time.Second))
			if n != tt.wantBefore {
				t.Errorf("%s: sentBefore=%d, want %d", tt.name, n, tt.wantBefore)
			}
		}
	})
}

// A host whose clock is behind still counts the sends another host
// recorded "later": the count has no upper time bound.
func TestReserveSendClockBehind(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		for i := range 3 {
			reserve(t, s, adv, rcpt, txn.DirectionOutbound, 3, t0.Add(time.Hour+time.Duration(i)*time.Second))
		}
		if n, res := reserve(t, s, adv, rcpt, txn.DirectionInbound, 3, t0); n != 3 || res.Reserved() {
			t.Errorf("an hour behind: sentBefore=%d reserved=%v, want 3 false", n, res.Reserved())
		}
	})
}

func TestReserveSendBadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		tests := []struct {
			name       string
			advertiser string
			addr       string
			direction  string
			capacity   int
		}{
			{name: "empty advertiser", advertiser: "", addr: rcpt, direction: txn.DirectionInbound, capacity: 3},
			{name: "bad address", advertiser: adv, addr: "no-at-sign", direction: txn.DirectionInbound, capacity: 3},
			{name: "bad direction", advertiser: adv, addr: rcpt, direction: "sideways", capacity: 3},
			{name: "negative cap", advertiser: adv, addr: rcpt, direction: txn.DirectionInbound, capacity: -1},
		}
		for _, tt := range tests {
			if _, res, err := s.ReserveSend(context.Background(), tt.advertiser, tt.addr, tt.direction, tt.capacity, clock(t0)); err == nil || res.Reserved() {
				t.Errorf("%s: err=%v reserved=%v, want an error and no reservation", tt.name, err, res.Reserved())
			}
		}
	})
}

// 20 concurrent messages for one pair with cap 3: exactly 3 pass, and each
// of the 20 sees a distinct-enough count (0, 1, 2 for the reserved ones).
func TestConcurrentReserveSend(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		const workers = 20
		type result struct {
			before   int
			reserved bool
			err      error
		}
		results := make([]result, workers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				n, res, err := s.ReserveSend(context.Background(), adv, rcpt, txn.DirectionOutbound, 3, clock(t0))
				results[i] = result{before: n, reserved: res.Reserved(), err: err}
			}()
		}
		close(start)
		wg.Wait()
		seen := map[int]bool{}
		reserved := 0
		for i, r := range results {
			switch {
			case r.err != nil:
				t.Errorf("worker %d: %v", i, r.err)
			case r.reserved:
				reserved++
				if seen[r.before] {
					t.Errorf("two reservations saw sentBefore=%d", r.before)
				}
				seen[r.before] = true
			case r.before != 3:
				t.Errorf("worker %d: not reserved with sentBefore=%d, want 3", i, r.before)
			}
		}
		if reserved != 3 {
			t.Errorf("%d reserved, want exactly 3", reserved)
		}
	})
}

func TestReleaseFreesSlot(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		var last Reservation
		for i := range 3 {
			_, last = reserve(t, s, adv, rcpt, txn.DirectionOutbound, 3, t0.Add(time.Duration(i)*time.Second))
		}
		if n, res := reserve(t, s, adv, rcpt, txn.DirectionOutbound, 3, t0.Add(10*time.Second)); res.Reserved() || n != 3 {
			t.Fatalf("4th: sentBefore=%d reserved=%v, want 3 false", n, res.Reserved())
		}
		if err := s.Release(ctx, last); err != nil {
			t.Fatalf("Release: %v", err)
		}
		n, again := reserve(t, s, adv, rcpt, txn.DirectionOutbound, 3, t0.Add(11*time.Second))
		if !again.Reserved() || n != 2 {
			t.Fatalf("after release: sentBefore=%d reserved=%v, want 2 true", n, again.Reserved())
		}
		// Releasing the old reservation again or a zero one must not free the
		// slot the new message holds.
		for _, res := range []Reservation{last, {}} {
			if err := s.Release(ctx, res); err != nil {
				t.Errorf("Release(%+v): %v", res, err)
			}
		}
		if n, res := reserve(t, s, adv, rcpt, txn.DirectionOutbound, 3, t0.Add(12*time.Second)); res.Reserved() || n != 3 {
			t.Errorf("after stale releases: sentBefore=%d reserved=%v, want 3 false", n, res.Reserved())
		}
	})
}
