package milter

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gomilter "github.com/d--j/go-milter"
	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/dkimsign"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// last returns the last answer reported.
func (r *answerSink) last(t *testing.T) txn.Answer {
	t.Helper()
	all := r.answers()
	if len(all) == 0 {
		t.Fatal("no answer reported")
	}
	return all[len(all)-1]
}

// signingKeys writes an Ed25519 key for example.com (selector s1) and
// returns the key set and its DNS record.
func signingKeys(t *testing.T) (*dkimsign.KeySet, string) {
	t.Helper()
	key, pemData, err := dkimsign.GenerateKey(dkimsign.AlgEd25519)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(path, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	ks, err := dkimsign.Load([]dkimsign.KeySpec{{Domain: "example.com", Selector: "s1", Key: path}}, "")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := dkimsign.KeyRecord(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return ks, rec
}

// The signature is made over the header block as delivered (the engine's
// edits applied: a changed Subject, an inserted Authentication-Results)
// and the body, goes to the MTA as the last edit, at the top, and
// verifies with go-msgauth over the delivered header block and body.
func TestSignCoversDeliveredHeaders(t *testing.T) {
	ks, rec := signingKeys(t)
	edits := []txn.HeaderEdit{
		{Op: txn.EditChange, Name: "Subject", Index: 1, Value: " [SPAM] hello"},
		{Op: txn.EditInsert, Name: "Authentication-Results", Index: 1, Value: " mx.example.net; auth=pass"},
	}
	ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
		return &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionTag}, Edits: edits, Sign: &txn.Signing{
			Domain: "example.com",
			Sign: func(ctx context.Context, h []txn.Header, body io.Reader) ([]txn.Header, error) {
				return ks.Sign(ctx, "example.com", h, body, dkimsign.Options{})
			}}}, nil
	}}
	var got answerSink
	addr, _, logs := startServer(t, Options{FailMode: txn.ActionTempfail, Answered: got.add, SpoolThreshold: 16}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")
	msg := simple("QS1")
	msg.body = []byte(strings.Repeat("a body line longer than the spool threshold\r\n", 20))
	mods, act := m.send(msg)
	if act.Type != gomilter.ActionAccept {
		t.Fatalf("final action %v, want accept", act)
	}
	if len(mods) != 3 || mods[2].Type != gomilter.ActionInsertHeader || mods[2].HeaderIndex != 1 || mods[2].HeaderName != "DKIM-Signature" {
		t.Fatalf("modifications %v: want the two edits, then DKIM-Signature inserted at 1", mods)
	}
	a := got.last(t)
	if a.Signed != "example.com" || len(a.Headers) == 0 || a.Headers[0].Name != "DKIM-Signature" {
		t.Fatalf("answer: signed %q, headers %v", a.Signed, a.Headers)
	}
	full := string(mailmsg.AppendBlock(nil, a.Headers)) + string(msg.body)
	vs, err := dkim.VerifyWithOptions(strings.NewReader(full), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if name == "s1._domainkey.example.com" {
				return []string{rec}, nil
			}
			return nil, errors.New("no such record")
		},
	})
	if err != nil || len(vs) != 1 || vs[0].Err != nil {
		t.Fatalf("verification of the delivered message: %v %+v\n%s", err, vs, full)
	}
	if e := logs.entries(t, "QS1: tag"); len(e) != 1 || e[0]["dkim_signed"] != "example.com" {
		t.Errorf("summary line %v: want dkim_signed example.com", e)
	}
}

// A signing failure is an internal fault: the fail mode answers, with
// fault "sign", and nothing unsigned leaves as if signed.
func TestSignFailureAppliesFailMode(t *testing.T) {
	ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
		return &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionAccept}, Sign: &txn.Signing{
			Domain: "example.com",
			Sign: func(context.Context, []txn.Header, io.Reader) ([]txn.Header, error) {
				return nil, errors.New("key gone")
			}}}, nil
	}}
	var got answerSink
	addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail, Answered: got.add}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")
	_, act := m.send(simple("QS2"))
	if act.Type != gomilter.ActionTempFail && act.SMTPCode != 451 {
		t.Fatalf("final action %v, want the tempfail of the fail mode", act)
	}
	if a := got.last(t); a.Fault != faultSign || a.Signed != "" {
		t.Errorf("answer fault %q signed %q, want fault sign, nothing signed", a.Fault, a.Signed)
	}
}

// Mail that is delivered is signed whatever the verdict that delivers it:
// an observed refusal (accepted in observe mode, the engine's signing
// request made as for an accepted message) and a quarantine to Junk
// (delivered with the Junk fields) carry a DKIM-Signature that covers
// the delivered header block.
func TestSignDeliveredObservedAndJunk(t *testing.T) {
	ks, _ := signingKeys(t)
	sign := &txn.Signing{Domain: "example.com", Sign: func(ctx context.Context, h []txn.Header, body io.Reader) ([]txn.Header, error) {
		return ks.Sign(ctx, "example.com", h, body, dkimsign.Options{})
	}}
	would := txn.HeaderEdit{Op: txn.EditAdd, Name: "X-Milter91-Would", Value: " reject 554 5.7.1 blocked"}
	junk := txn.HeaderEdit{Op: txn.EditAdd, Name: "X-Spam", Value: " Yes"}
	for name, out := range map[string]txn.Outcome{
		"observed": {Observed: true, Edits: []txn.HeaderEdit{would}, Sign: sign,
			Verdict: txn.Verdict{Action: txn.ActionReject, Reply: txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "blocked"}}},
		"junk": {Junk: true, Edits: []txn.HeaderEdit{junk}, Sign: sign, Verdict: txn.Verdict{Action: txn.ActionQuarantine}},
	} {
		t.Run(name, func(t *testing.T) {
			ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
				o := out
				return &o, nil
			}}
			var got answerSink
			addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail, Answered: got.add}, ev)
			m := dialMTA(t, addr)
			m.connect("127.0.0.2", "helo.example.com")
			mods, act := m.send(simple("QS3"))
			if act.Type != gomilter.ActionAccept {
				t.Fatalf("final action %v, want accept", act)
			}
			if len(mods) != 2 || mods[1].HeaderName != "DKIM-Signature" {
				t.Fatalf("modifications %v: want the edit, then DKIM-Signature", mods)
			}
			if a := got.last(t); a.Signed != "example.com" {
				t.Errorf("answer signed %q, want example.com", a.Signed)
			}
		})
	}
}
