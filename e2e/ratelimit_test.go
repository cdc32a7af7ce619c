package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"milter91/internal/pgtest"
	"milter91/internal/redistest"
)

// Slots of TestRateLimitSharedStore: two daemons, each behind its own
// smtpd with SMTP AUTH (saslSlots).
const (
	slotRateA = "rate-a"
	slotRateB = "rate-b"
)

func init() {
	slotNames = append(slotNames, slotRateA, slotRateB)
	saslSlots[slotRateA], saslSlots[slotRateB] = true, true
}

const (
	// rateUser is the customer account the test sends as; rateLimit
	// messages a day is its limit, rateMessages how many it tries.
	rateUser     = "alice@" + goodDomain
	rateLimit    = 50
	rateMessages = 500
)

// A compromised account sends 500 messages through two daemons that
// share one counter store, alternating between them: exactly the limit's
// count passes, every later message is deferred with 451 4.7.1 naming
// the limit, on PostgreSQL and on Redis. Before that, a client drops its
// connection after the final dot of one message and sends it again
// through the other daemon: both copies are delivered (Postfix took the
// first at the dot) and the message counts once.
func TestRateLimitSharedStore(t *testing.T) {
	e := needEnv(t)
	stores := []struct {
		name  string
		store func(*testing.T) string
	}{
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
		{"redis", func(t *testing.T) string { return redistest.URL(t) }},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			target := st.store(t)
			a, b := startRateDaemon(t, e, slotRateA, target), startRateDaemon(t, e, slotRateB, target)
			addrs := []string{e.smtpAddr(slotRateA), e.smtpAddr(slotRateB)}

			tok := newToken(t)
			dropAfterDot(t, authSession(t, addrs[0]), rateMail(tok))
			delivered(t, e, messageID(tok)) // the first copy was counted and marked
			if r := sendAuthed(t, addrs[1], rateMail(tok)); r.Code != 250 {
				t.Fatalf("the resend through B: %v, want 250", r)
			}

			passed, deferred := sendRun(t, e, addrs)
			if passed != rateLimit-1 || deferred != rateMessages-passed {
				t.Errorf("of %d messages %d passed and %d were deferred; want %d passed (the limit %d less the resent message, counted once)",
					rateMessages, passed, deferred, rateLimit-1, rateLimit)
			}
			for _, d := range []*daemon{a, b} {
				if err := d.stop(30 * time.Second); err != nil {
					t.Error(err)
				}
				if p := logProblems(d, false); len(p) > 0 {
					t.Errorf("log reports a panic or race:\n%s", p)
				}
			}
		})
	}
}

// startRateDaemon starts slot's daemon with the rate limit on the
// counter store target.
func startRateDaemon(t *testing.T, e *env, slot, target string) *daemon {
	t.Helper()
	extra := fmt.Sprintf("counters:\n  store: %q\nrate_limits:\n  - {name: user_day, scope: sasl_user, count: %d, window: 24h}\n", target, rateLimit)
	d, _ := opsDaemon(t, e, slot, []string{slot}, extra)
	return d
}

// rateMail is a message of rateUser's with token.
func rateMail(tok string) outMessage {
	data := mail{Token: tok, From: "<" + rateUser + ">", Subject: "invoice " + tok}.build()
	return outMessage{From: rateUser, To: []string{recipient}, Data: data}
}

// authSession opens an SMTP session to addr logged in as rateUser.
func authSession(t *testing.T, addr string) *smtpSession {
	t.Helper()
	s, r, err := dialGreeted(addr)
	if s == nil {
		t.Fatalf("connect %s: %v %v", addr, r, err)
	}
	if err := s.expect(235, plainAuth(rateUser)); err != nil {
		s.quit()
		t.Fatalf("AUTH on %s: %v", addr, err)
	}
	return s
}

// sendAuthed sends m in a session of its own, logged in.
func sendAuthed(t *testing.T, addr string, m outMessage) reply {
	t.Helper()
	s := authSession(t, addr)
	defer s.quit()
	return mustSend(t, s, m)
}

// dropAfterDot sends m up to its final dot in session s and hangs up
// without reading the reply, as a client whose connection breaks there.
func dropAfterDot(t *testing.T, s *smtpSession, m outMessage) {
	t.Helper()
	defer s.conn.Close()
	for _, c := range []string{"MAIL FROM:<" + m.From + ">", "RCPT TO:<" + m.To[0] + ">"} {
		if err := s.expect(250, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.expect(354, "DATA"); err != nil {
		t.Fatal(err)
	}
	if err := writeDot(s.tp.W, m.Data); err != nil {
		t.Fatal(err)
	}
}

// sendRun sends rateMessages distinct messages, one session per daemon,
// alternating, and counts the 250s (each then delivered) and the 451
// 4.7.1 replies naming the limit; any other reply fails the test.
func sendRun(t *testing.T, e *env, addrs []string) (passed, deferred int) {
	t.Helper()
	sessions := []*smtpSession{authSession(t, addrs[0]), authSession(t, addrs[1])}
	defer func() {
		for _, s := range sessions {
			s.quit()
		}
	}()
	var toks []string
	for i := range rateMessages {
		tok := newToken(t)
		r := mustSend(t, sessions[i%2], rateMail(tok))
		switch {
		case r.Code == 250:
			passed++
			toks = append(toks, tok)
		case r.Code == 451 && strings.HasPrefix(r.Text, "4.7.1 ") && strings.Contains(r.Text, "Rate limit user_day reached"):
			deferred++
		default:
			t.Fatalf("message %d: reply %v, want 250 or 451 4.7.1 naming user_day", i+1, r)
		}
	}
	for _, tok := range toks {
		delivered(t, e, messageID(tok))
	}
	return passed, deferred
}
