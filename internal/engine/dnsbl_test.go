package engine_test

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/internal/engine"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

const blQuery = "2.0.0.127." + blZone

func TestDNSBL(t *testing.T) {
	tests := []struct {
		name     string
		secret   bool
		answer   string // A record of blQuery, "" for NXDOMAIN
		authUser string
		action   txn.Action
		reply    txn.Reply
		result   string
		listed   bool
	}{
		{name: "listed", answer: "127.0.0.2", action: txn.ActionReject, result: "listed", listed: true,
			reply: txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "Service unavailable; client [127.0.0.2] blocked using bl.example.test"}},
		{name: "listed, secret zone", secret: true, answer: "127.0.0.2", action: txn.ActionReject, result: "listed", listed: true,
			reply: txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "Service unavailable; client [127.0.0.2] blocked using a DNS blocklist"}},
		{name: "not listed", action: txn.ActionAccept, result: "notlisted"},
		// RFC 5782 error answers are never listings (Spamhaus: open resolver).
		{name: "error answer", answer: "127.255.255.254", action: txn.ActionAccept, result: "blocked"},
		// DNSBL_LISTED judges only unauthenticated mail.
		{name: "listed, authenticated", answer: "127.0.0.2", authUser: "alice", action: txn.ActionAccept, result: "listed", listed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := dns("v=spf1 ip4:127.0.0.0/8 -all", "")
			if tc.answer != "" {
				res.A[blQuery] = []netip.Addr{netip.MustParseAddr(tc.answer)}
			}
			e := newEngine(t, engine.Options{Resolver: res, DNSBL: checker(t, tc.secret)})
			tr := transaction(t, plainMessage)
			tr.AuthUser = tc.authUser
			out := mustEvaluate(t, e, tr)
			if len(out.Facts.DNSBL) != 1 {
				t.Fatalf("DNSBL facts = %+v, want one", out.Facts.DNSBL)
			}
			b := out.Facts.DNSBL[0]
			if b.Zone != blZone || b.Result != tc.result || b.Listed != tc.listed || b.Secret != tc.secret {
				t.Errorf("DNSBL fact = %+v, want zone %s result %s listed %v secret %v", b, blZone, tc.result, tc.listed, tc.secret)
			}
			if out.Verdict.Action != tc.action || out.Verdict.Reply != tc.reply {
				t.Errorf("verdict %v %q, want %v %q", out.Verdict.Action, out.Verdict.Reply, tc.action, tc.reply)
			}
			if tc.secret && strings.Contains(out.Verdict.Reply.Text, blZone) {
				t.Errorf("reply %q names the secret zone", out.Verdict.Reply.Text)
			}
			if _, ok := out.Facts.Durations["dnsbl"]; !ok {
				t.Errorf("Durations = %v, want a dnsbl entry", out.Facts.Durations)
			}
		})
	}
}

// recorder is a Resolver that records the names asked and signals each.
type recorder struct {
	resolver.Fake
	mu    sync.Mutex
	names []string
	asked chan string
}

func (r *recorder) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	r.mu.Lock()
	r.names = append(r.names, name)
	r.mu.Unlock()
	r.asked <- name
	return r.Fake.LookupA(ctx, name)
}

// seen returns the names asked so far.
func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.names...)
}

// TestPrefetchNoop checks that Prefetch without zones or without a client
// IP sends nothing. A lookup runs in the background, so the check is
// ordered behind a Prefetch that must send one query: the no-op calls come
// first, and only that one query may be seen.
func TestPrefetchNoop(t *testing.T) {
	rec := &recorder{asked: make(chan string, 16)}
	noZones := newEngine(t, engine.Options{Resolver: rec})
	withZone := newEngine(t, engine.Options{Resolver: rec, DNSBL: checker(t, false)})

	noZones.Prefetch(txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.9")})
	withZone.Prefetch(txn.Conn{})
	withZone.Prefetch(txn.Conn{ClientIP: netip.MustParseAddr(clientIP)})

	select {
	case name := <-rec.asked:
		if strings.TrimSuffix(name, ".") != blQuery {
			t.Errorf("first prefetch query %q, want %q", name, blQuery)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the prefetch with a zone and a client IP sent no query")
	}
	if names := rec.seen(); len(names) != 1 {
		t.Errorf("queries %q, want only %q", names, blQuery)
	}
}
