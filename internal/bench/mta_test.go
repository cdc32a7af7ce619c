package bench

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/sockaddr"
	"milter91/internal/txn"
	"milter91/milter"
)

// startMilter serves a milter91 adapter with ev on a loopback port and
// returns its address.
func startMilter(b testing.TB, ev milter.Evaluator, threshold int64) string {
	b.Helper()
	srv := milter.New(milter.Options{
		Evaluator:      func() milter.Evaluator { return ev },
		FailMode:       txn.ActionTempfail,
		SpoolThreshold: threshold,
		SpoolDir:       b.TempDir(),
		Logger:         slog.New(slog.DiscardHandler),
	})
	ln, err := sockaddr.Listen("inet:127.0.0.1:0", 0, "")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return ln.Addr().String()
}

// mta is the MTA side of one milter connection (go-milter's client), with
// the SMTP session already past HELO.
type mta struct {
	s       *gomilter.ClientSession
	macros  *gomilter.MacroBag
	headers [][2]string
	body    []byte
}

// dialMTA connects to addr as an SMTP client from clientIP and prepares
// msg (headers as received, body) for send.
func dialMTA(b testing.TB, addr string, msg []byte) *mta {
	b.Helper()
	headers, spool, err := txn.ReadMessage(bytes.NewReader(msg), 0, "")
	if err != nil {
		b.Fatal(err)
	}
	body := msg[len(msg)-int(spool.Size()):]
	spool.Close()
	m := &mta{macros: gomilter.NewMacroBag(), body: body}
	for _, h := range headers {
		// Postfix sends folded lines with LF; the adapter restores CRLF.
		m.headers = append(m.headers, [2]string{h.Name, strings.ReplaceAll(h.Value, "\r\n", "\n")})
	}
	m.macros.Set(gomilter.MacroMTAFQDN, "mx.example.net")
	m.macros.Set(gomilter.MacroClientAddr, clientIP.String())
	if m.s, err = gomilter.NewClient("tcp", addr).Session(m.macros); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.s.Close() })
	if err := cont(m.s.Conn("["+clientIP.String()+"]", gomilter.FamilyInet, 54321, clientIP.String())); err != nil {
		b.Fatal(err)
	}
	if err := cont(m.s.Helo("mail.example.com")); err != nil {
		b.Fatal(err)
	}
	return m
}

// cont turns anything but a continue into an error.
func cont(act *gomilter.Action, err error) error {
	if err != nil {
		return err
	}
	if act.Type != gomilter.ActionContinue {
		return &unexpected{act: act}
	}
	return nil
}

type unexpected struct{ act *gomilter.Action }

func (u *unexpected) Error() string { return "unexpected milter action " + u.act.String() }

// send runs MAIL FROM … end of message and returns the final action and
// the header changes.
func (m *mta) send() ([]gomilter.ModifyAction, *gomilter.Action, error) {
	m.macros.Set(gomilter.MacroQueueId, "BENCH")
	if err := cont(m.s.Mail("alice@example.com", "")); err != nil {
		return nil, nil, err
	}
	if err := cont(m.s.Rcpt("bob@example.net", "")); err != nil {
		return nil, nil, err
	}
	if err := cont(m.s.DataStart()); err != nil {
		return nil, nil, err
	}
	for _, h := range m.headers {
		if err := cont(m.s.HeaderField(h[0], h[1], nil)); err != nil {
			return nil, nil, err
		}
	}
	if err := cont(m.s.HeaderEnd()); err != nil {
		return nil, nil, err
	}
	return m.s.BodyReadFrom(bytes.NewReader(m.body))
}

// wantDKIMPassAccept fails unless the milter accepted the message and
// inserted an Authentication-Results with dkim=pass.
func wantDKIMPassAccept(b testing.TB, mods []gomilter.ModifyAction, act *gomilter.Action, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	if act.Type != gomilter.ActionAccept {
		b.Fatalf("action %v, want accept", act)
	}
	for _, m := range mods {
		if m.Type == gomilter.ActionInsertHeader && strings.Contains(m.HeaderValue, "dkim=pass") {
			return
		}
	}
	b.Fatalf("modifications %+v, want an Authentication-Results with dkim=pass", mods)
}
