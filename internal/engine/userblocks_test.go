package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"milter91/internal/engine"
	"milter91/internal/txn"
)

// fakeBlocks is an in-memory BlockLists: entries by recipient, each
// "kind value"; err fails every call.
type fakeBlocks struct {
	entries map[string][]string
	err     error
}

func (f *fakeBlocks) MatchBlocks(_ context.Context, rcpts, senders []string, advertiser string) ([]txn.UserBlock, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []txn.UserBlock
	for _, r := range rcpts {
		for _, e := range f.entries[r] {
			kind, v, _ := strings.Cut(e, " ")
			hit := (kind == "address" && slices.Contains(senders, v)) || (kind == "advertiser" && advertiser == v)
			for _, s := range senders {
				hit = hit || (kind == "domain" && strings.HasSuffix(s, "@"+v))
			}
			if hit {
				out = append(out, txn.UserBlock{Rcpt: r, Kind: kind, Entry: v})
			}
		}
	}
	return out, nil
}

// A recipient who blocked the sender is removed; the others get the
// message, which is accepted, not bounced.
func TestUserBlockRemovesOnlyThatRecipient(t *testing.T) {
	blocks := &fakeBlocks{entries: map[string][]string{"carol@example.net": {"domain example.com"}}}
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), BlockLists: blocks})
	tr := transaction(t, plainMessage)
	tr.Rcpts = []string{"bob@example.net", "carol@example.net"}
	out := mustEvaluate(t, e, tr)
	if out.Verdict.Action != txn.ActionAccept {
		t.Fatalf("action %v rules %v, want accept for bob", out.Verdict.Action, out.Verdict.RuleIDs())
	}
	if !slices.Equal(out.RemoveRcpts, []string{"carol@example.net"}) {
		t.Fatalf("RemoveRcpts = %v, want carol only", out.RemoveRcpts)
	}
	if len(out.Facts.UserBlocks) != 1 || out.Facts.UserBlocks[0].Entry != "example.com" {
		t.Errorf("facts %+v", out.Facts.UserBlocks)
	}
}

// When every recipient blocked the sender, the message is refused with
// the rule's reply (the sender's MTA reports it; no bounce from here).
func TestUserBlockEveryRecipientRejects(t *testing.T) {
	blocks := &fakeBlocks{entries: map[string][]string{"bob@example.net": {"advertiser example.com"}}}
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), BlockLists: blocks})
	out := mustEvaluate(t, e, transaction(t, plainMessage))
	if out.Verdict.Action != txn.ActionReject || !matched(out.Verdict, "USER_BLOCKLIST") || len(out.RemoveRcpts) != 0 {
		t.Fatalf("verdict %v %v removed %v, want reject by USER_BLOCKLIST", out.Verdict.Action, out.Verdict.RuleIDs(), out.RemoveRcpts)
	}
	if want := "550 5.7.1 Recipient bob@example.net does not accept mail from this sender (Decree 91/2020 Art. 10.2)"; out.Verdict.Reply.String() != want {
		t.Errorf("reply %q, want %q", out.Verdict.Reply.String(), want)
	}
}

// An authenticated submission is not judged by the recipients' lists.
func TestUserBlockSkipsAuthenticated(t *testing.T) {
	blocks := &fakeBlocks{entries: map[string][]string{"bob@example.net": {"address alice@example.com"}}}
	e := newEngine(t, engine.Options{Resolver: dns("", ""), BlockLists: blocks})
	tr := transaction(t, plainMessage)
	tr.AuthUser = "alice"
	out := mustEvaluate(t, e, tr)
	if matched(out.Verdict, "USER_BLOCKLIST") || out.Verdict.Action == txn.ActionReject {
		t.Fatalf("authenticated: verdict %v %v", out.Verdict.Action, out.Verdict.RuleIDs())
	}
}

// A block-list store that fails is no fault: the mail is delivered and
// the fact says the lists were not applied.
func TestUserBlockStoreDown(t *testing.T) {
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), BlockLists: &fakeBlocks{err: errors.New("connection refused")}})
	out := mustEvaluate(t, e, transaction(t, plainMessage))
	if out.Verdict.Action != txn.ActionAccept || !out.Facts.UserBlocksUnavailable {
		t.Fatalf("action %v unavailable %v", out.Verdict.Action, out.Facts.UserBlocksUnavailable)
	}
}

// In observe mode a user's block list removes nobody, and the log says
// the recipient would be removed, never that it was.
func TestUserBlockObservedLogsWouldRemove(t *testing.T) {
	blocks := &fakeBlocks{entries: map[string][]string{"carol@example.net": {"domain example.com"}}}
	var log strings.Builder
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), BlockLists: blocks,
		Modes: engine.Modes{Observe: true}, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	tr := transaction(t, plainMessage)
	tr.Rcpts = []string{"bob@example.net", "carol@example.net"}
	out := mustEvaluate(t, e, tr)
	if len(out.RemoveRcpts) != 0 || !out.Observed {
		t.Fatalf("observed %v removed %v, want nobody removed", out.Observed, out.RemoveRcpts)
	}
	if got := log.String(); !strings.Contains(got, "observe: recipient would be removed") ||
		!strings.Contains(got, "carol@example.net") || strings.Contains(got, `msg="recipient removed`) {
		t.Errorf("log:\n%s\nwant a would-be removal of carol, no removal", got)
	}
}
