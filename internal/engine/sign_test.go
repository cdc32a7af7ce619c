package engine_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/decree/stage"
	"milter91/internal/dkimsign"
	"milter91/internal/engine"
)

// signingEngine signs for example.com (an Ed25519 key) mail that is
// outbound by SASL login or by the listener "submission"; alice@example.net
// may sign for example.com too. Logs go to the returned buffer.
func signingEngine(t *testing.T) (*engine.Engine, *bytes.Buffer) {
	t.Helper()
	_, pemData, err := dkimsign.GenerateKey(dkimsign.AlgEd25519)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(path, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	ks, err := dkimsign.Load([]dkimsign.KeySpec{{Domain: senderDom, Selector: "s1", Key: path}}, "")
	if err != nil {
		t.Fatal(err)
	}
	auth, err := dkimsign.NewAuthorizer(map[string][]string{"alice@example.net": {senderDom}})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	return newEngine(t, engine.Options{
		Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), SkipAuthenticated: true,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Signing: &engine.Signing{Keys: ks, Authorizer: auth, Directions: stage.Directions{
			Authenticated: true, Listeners: []string{"submission"}}},
	}), &logs
}

// Outbound mail from a From domain with a key is signed when the SASL
// user may sign for it (its own domain, or a listed one) or when it came
// through an outbound listener without a login; a user of another domain
// gets no signature and a logged reason; inbound mail is never signed.
func TestSigningWhoMaySign(t *testing.T) {
	tests := []struct {
		name, user, listener, from string
		sign                       bool
		refused                    string
	}{
		{name: "own login domain", user: "alice@example.com", from: "alice@example.com", sign: true},
		{name: "listed domain", user: "alice@example.net", from: "alice@example.com", sign: true},
		{name: "other customer", user: "mallory@example.org", from: "alice@example.com", refused: "not its login domain"},
		{name: "login without domain", user: "mallory", from: "alice@example.com", refused: "has no domain"},
		{name: "outbound listener", listener: "submission", from: "alice@example.com", sign: true},
		{name: "inbound", from: "alice@example.com"},
		{name: "no key for the domain", user: "bob@example.org", from: "bob@example.org"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, logs := signingEngine(t)
			tr := transaction(t, strings.Replace(plainMessage, "alice@example.com", tc.from, 1))
			tr.AuthUser, tr.Conn.Listener = tc.user, tc.listener
			out := mustEvaluate(t, e, tr)
			if (out.Sign != nil) != tc.sign {
				t.Fatalf("signing request %v, want %v (refused %q)", out.Sign, tc.sign, out.SignRefused)
			}
			if !strings.Contains(out.SignRefused, tc.refused) || (tc.refused == "") != (out.SignRefused == "") {
				t.Errorf("refusal %q, want one containing %q", out.SignRefused, tc.refused)
			}
			if logged := strings.Contains(logs.String(), `"msg":"no DKIM signature"`); logged != (tc.refused != "") {
				t.Errorf("refusal logged %v, want %v:\n%s", logged, tc.refused != "", logs.String())
			}
			if !tc.sign {
				return
			}
			sigs, err := out.Sign.Sign(context.Background(), tr.Headers, tr.BodyReader())
			if err != nil || len(sigs) != 1 || !strings.Contains(sigs[0].Value, "d=example.com") {
				t.Errorf("signature %v, %v", sigs, err)
			}
		})
	}
}
