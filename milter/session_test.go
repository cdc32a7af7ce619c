package milter

import (
	"context"
	"crypto/sha256"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

func TestMacrosAndConnectionReachTransaction(t *testing.T) {
	ev := &fakeEval{}
	addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, ev)
	m := dialMTA(t, addr)
	m.macros.Set(gomilter.MacroClientName, "client.example.com")
	m.macros.Set(gomilter.MacroClientPort, "54321")
	m.macros.Set(gomilter.MacroTlsVersion, "TLSv1.3")
	m.macros.Set(gomilter.MacroAuthAuthen, "alice")
	m.macros.Set(gomilter.MacroAuthType, "PLAIN")
	m.macros.Set(gomilter.MacroMailAddr, "alice@example.com")
	m.connect("127.0.0.2", "helo.example.com")

	// The queue ID appears only at end of message, as with Postfix before
	// the first accepted RCPT.
	m.mustContinue(m.s.Mail("alice@example.com", "SIZE=100"))
	m.mustContinue(m.s.Rcpt("bob@example.net", ""))
	m.mustContinue(m.s.Rcpt("carol@example.org", ""))
	m.mustContinue(m.s.DataStart())
	m.mustContinue(m.s.HeaderEnd())
	m.macros.Set(gomilter.MacroQueueId, "4XYZ12AB")
	if _, act, err := m.s.BodyReadFrom(strings.NewReader("body\r\n")); err != nil || act.Type != gomilter.ActionAccept {
		t.Fatalf("end: %v %v", act, err)
	}

	snaps := ev.snapshots()
	if len(snaps) != 1 {
		t.Fatalf("%d evaluations, want 1", len(snaps))
	}
	tr := snaps[0].T
	tests := []struct{ field, got, want string }{
		{"ClientIP", tr.Conn.ClientIP.String(), "127.0.0.2"},
		{"ClientName (macro wins over connect host)", tr.Conn.ClientName, "client.example.com"},
		{"HELO", tr.Conn.HELO, "helo.example.com"},
		{"DaemonName", tr.Conn.DaemonName, "mx-in"},
		{"QueueID", tr.QueueID, "4XYZ12AB"},
		{"MailFrom", tr.MailFrom, "alice@example.com"},
		{"Rcpts", joinAll(tr.Rcpts), "bob@example.net,carol@example.org"},
		{"AuthUser", tr.AuthUser, "alice"},
		{"macro j", tr.Conn.Macros["j"], "mx.example.net"},
		{"macro client_addr", tr.Conn.Macros["client_addr"], "127.0.0.2"},
		{"macro tls_version", tr.Conn.Macros["tls_version"], "TLSv1.3"},
		{"macro auth_type", tr.Conn.Macros["auth_type"], "PLAIN"},
		{"macro mail_addr", tr.Conn.Macros["mail_addr"], "alice@example.com"},
		{"macro i", tr.Conn.Macros["i"], "4XYZ12AB"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.field, tc.got, tc.want)
		}
	}
	if tr.Conn.ClientPort != 54321 {
		t.Errorf("ClientPort = %d, want 54321", tr.Conn.ClientPort)
	}
	pf := ev.prefetched()
	if len(pf) != 1 || pf[0].ClientIP != netip.MustParseAddr("127.0.0.2") || pf[0].Macros["daemon_name"] != "mx-in" {
		t.Errorf("prefetch = %+v, want one call for 127.0.0.2 with connect macros", pf)
	}
}

func joinAll(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}

func TestConnectFamilies(t *testing.T) {
	tests := []struct {
		name     string
		family   gomilter.ProtoFamily
		addr     string
		port     uint16
		wantIP   string // "" = no client IP
		prefetch bool
		local    bool
	}{
		{"tcp4", gomilter.FamilyInet, "127.0.0.2", 25, "127.0.0.2", true, false},
		{"tcp6", gomilter.FamilyInet6, "::1", 25, "::1", true, false},
		{"tcp6 IPv4-mapped", gomilter.FamilyInet6, "::ffff:127.0.0.3", 25, "127.0.0.3", true, false},
		{"unix", gomilter.FamilyUnix, "/run/smtp.sock", 0, "", false, false},
		{"unknown", gomilter.FamilyUnknown, "", 0, "", false, false},
		// Postfix's cleanup emulates localhost, 127.0.0.1, port 0 for
		// mail from sendmail(1) (non_smtpd_milters).
		{"local submission", gomilter.FamilyInet, "127.0.0.1", 0, "", false, true},
		{"localhost client on a port", gomilter.FamilyInet, "127.0.0.1", 2525, "127.0.0.1", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &fakeEval{}
			addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, ev)
			m := dialMTA(t, addr)
			m.mustContinue(m.s.Conn("localhost", tc.family, tc.port, tc.addr))
			m.mustContinue(m.s.Helo("helo.example.com"))
			m.send(simple("Q1"))
			got := ""
			if ip := ev.snapshots()[0].T.Conn.ClientIP; ip.IsValid() {
				got = ip.String()
			}
			if got != tc.wantIP {
				t.Errorf("ClientIP = %q, want %q", got, tc.wantIP)
			}
			if l := ev.snapshots()[0].T.Conn.Local; l != tc.local {
				t.Errorf("Local = %v, want %v", l, tc.local)
			}
			if n := len(ev.prefetched()); (n == 1) != tc.prefetch || n > 1 {
				t.Errorf("%d prefetch calls, want prefetch=%v", n, tc.prefetch)
			}
		})
	}
}

// Three messages and an aborted one on one SMTP session: the first is
// rejected; all keep the client IP and HELO, none sees another's envelope.
func TestSessionSurvivesMessages(t *testing.T) {
	ev := &fakeEval{fn: func(_ context.Context, tr *txn.Transaction) (*txn.Outcome, error) {
		if tr.MailFrom == "spammer@example.com" {
			return &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionReject,
				Reply: txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "Spam"}}}, nil
		}
		return accept(), nil
	}}
	addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")

	first := simple("Q1")
	first.from = "spammer@example.com"
	if _, act := m.send(first); act.SMTPReply != "550 5.7.1 Spam" {
		t.Fatalf("first message: %v, want 550 5.7.1 Spam", act)
	}
	m.mustContinue(m.s.Mail("aborted@example.com", ""))
	m.mustContinue(m.s.Rcpt("leak@example.net", ""))
	if err := m.s.Abort(nil); err != nil {
		t.Fatal(err)
	}
	for _, qid := range []string{"Q3", "Q4"} {
		if _, act := m.send(simple(qid)); act.Type != gomilter.ActionAccept {
			t.Fatalf("%s: %v, want accept", qid, act)
		}
	}

	snaps := ev.snapshots()
	wantQIDs := []string{"Q1", "Q3", "Q4"}
	if len(snaps) != len(wantQIDs) {
		t.Fatalf("%d evaluations, want %d", len(snaps), len(wantQIDs))
	}
	for i, s := range snaps {
		tr := s.T
		if tr.QueueID != wantQIDs[i] || tr.Conn.ClientIP.String() != "127.0.0.2" || tr.Conn.HELO != "helo.example.com" {
			t.Errorf("message %d: qid %q ip %v helo %q, want %s 127.0.0.2 helo.example.com",
				i, tr.QueueID, tr.Conn.ClientIP, tr.Conn.HELO, wantQIDs[i])
		}
		if !slices.Equal(tr.Rcpts, []string{"rcpt@example.net"}) || len(tr.Headers) != 2 {
			t.Errorf("message %d: rcpts %v, %d headers; want only its own", i, tr.Rcpts, len(tr.Headers))
		}
	}
	if n := len(ev.prefetched()); n != 1 {
		t.Errorf("%d prefetch calls, want 1 per connection", n)
	}
}

// An MTA may reuse a milter connection for a new SMTP session
// (SMFIC_QUIT_NC): nothing of the old session may survive.
func TestConnectionReuse(t *testing.T) {
	ev := &fakeEval{}
	addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, ev)
	m := dialMTA(t, addr)
	m.macros.Set(gomilter.MacroTlsVersion, "TLSv1.3")
	m.connect("127.0.0.2", "first.example.com")
	m.send(simple("Q1"))

	m.macros = gomilter.NewMacroBag()
	if err := m.s.Reset(m.macros); err != nil {
		t.Fatal(err)
	}
	m.mustContinue(m.s.Conn("[::1]", gomilter.FamilyInet6, 2525, "::1"))
	m.mustContinue(m.s.Helo("second.example.com"))
	m.send(simple("Q2"))

	snaps := ev.snapshots()
	if len(snaps) != 2 {
		t.Fatalf("%d evaluations, want 2", len(snaps))
	}
	c := snaps[1].T.Conn
	if c.ClientIP.String() != "::1" || c.HELO != "second.example.com" || c.Macros["tls_version"] != "" || c.ClientPort != 2525 {
		t.Errorf("after reuse: %+v, want ::1 port 2525, the new HELO and no TLS macro", c)
	}
}

func TestHeaderValuesExact(t *testing.T) {
	tests := []struct {
		name      string
		leadSpace bool
		sent      string // as the MTA sends it
		want      string // txn.Header.Value
	}{
		{"leading space kept", true, " hello", " hello"},
		{"no space kept", true, "tight", "tight"},
		{"tab kept", true, "\tvalue", "\tvalue"},
		{"LF folding becomes CRLF", true, " first\n\tsecond\n third", " first\r\n\tsecond\r\n third"},
		{"CRLF folding kept", true, " a\r\n b", " a\r\n b"},
		{"8-bit bytes kept", true, " caf\xc3\xa9 \xff\xfe", " caf\xc3\xa9 \xff\xfe"},
		{"trailing space kept", true, " v ", " v "},
		{"empty", true, "", ""},
		{"swallowed space restored", false, "hello", " hello"},
		{"tab not given a space", false, "\tvalue", "\tvalue"},
		{"empty gets the space back", false, "", " "},
		{"folding without LEADSPC", false, "first\n\tsecond", " first\r\n\tsecond"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &fakeEval{}
			addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, ev)
			var opts []gomilter.Option
			if !tc.leadSpace {
				opts = append(opts, gomilter.WithProtocols(gomilter.OptNoReplies|gomilter.OptNoUnknown))
			}
			m := dialMTA(t, addr, opts...)
			m.connect("127.0.0.2", "helo.example.com")
			msg := simple("Q1")
			msg.headers = [][2]string{{"X-Test", tc.sent}}
			m.send(msg)
			s := ev.snapshots()[0]
			if got := s.T.Headers; len(got) != 1 || got[0].Name != "X-Test" || got[0].Value != tc.want {
				t.Fatalf("headers = %q, want X-Test %q", got, tc.want)
			}
			if want := "X-Test:" + tc.want + "\r\n\r\nHello\r\n"; s.Message != want {
				t.Errorf("rebuilt message = %q, want %q", s.Message, want)
			}
		})
	}
}

func TestLargeBodySpooledIntact(t *testing.T) {
	dir := t.TempDir()
	ev := &fakeEval{}
	addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail, SpoolThreshold: 1 << 20, SpoolDir: dir}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")

	body := make([]byte, 20<<20)
	rng := rand.NewChaCha8([32]byte{9, 1})
	_, _ = rng.Read(body)
	msg := simple("QBIG")
	msg.body = body
	if _, act := m.send(msg); act.Type != gomilter.ActionAccept {
		t.Fatalf("got %v, want accept", act)
	}
	s := ev.snapshots()[0]
	if s.BodyLen != int64(len(body)) || s.BodySum != sha256.Sum256(body) {
		t.Errorf("body: %d bytes, hash match %v; want %d bytes, same hash", s.BodyLen, s.BodySum == sha256.Sum256(body), len(body))
	}
	if !s.OnDisk {
		t.Error("20 MiB body stayed in memory, want spooled to disk")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("spool dir holds %d files after the reply, want 0", len(left))
	}
}

// noMacros is a go-milter Modifier without macros; other methods are not
// used by the callbacks under test.
type noMacros struct{ gomilter.Modifier }

func (noMacros) GetEx(string) (string, bool) { return "", false }

// A body spooled to disk is removed when the message ends without end of
// message: SMTP RSET (Abort) or a dropped milter connection (Cleanup).
func TestSpoolRemovedWithoutEndOfMessage(t *testing.T) {
	tests := []struct {
		name string
		end  func(s *session)
	}{
		{"abort", func(s *session) { _ = s.Abort(noMacros{}) }},
		{"cleanup", func(s *session) { s.Cleanup(noMacros{}) }},
		{"new connection", func(s *session) { _ = s.NewConnection(noMacros{}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := newSession(New(Options{SpoolThreshold: 8, SpoolDir: dir}), gomilter.OptHeaderLeadingSpace)
			if _, err := s.MailFrom("a@example.com", "", noMacros{}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.BodyChunk([]byte("more than eight bytes"), noMacros{}); err != nil {
				t.Fatal(err)
			}
			if files, _ := os.ReadDir(dir); len(files) != 1 {
				t.Fatalf("%d spool files, want 1 before the end", len(files))
			}
			tc.end(s)
			if files, _ := os.ReadDir(dir); len(files) != 0 || s.msg != nil {
				t.Errorf("%d spool files left, message %v; want none", len(files), s.msg)
			}
		})
	}
}
