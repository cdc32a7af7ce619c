package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"milter91/internal/bayes"
	"milter91/internal/counter"
)

const learnMsg = "From: a@example.com\r\nSubject: cheap pills\r\n\r\nbuy cheap pills now\r\n"

func learnHandler(t *testing.T, opt bayes.Options) (http.Handler, *bayes.Classifier) {
	t.Helper()
	c, err := bayes.New(counter.NewMem(nil), opt)
	if err != nil {
		t.Fatal(err)
	}
	return newHandler(t, Options{Learner: c}), c
}

func TestPostLearn(t *testing.T) {
	h, c := learnHandler(t, bayes.Options{})
	post := func(query string) LearnAnswer {
		t.Helper()
		rec := do(h, request{method: http.MethodPost, target: "/v1/learn?" + query, ctype: "message/rfc822", body: learnMsg})
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", query, rec.Code, rec.Body)
		}
		var out LearnAnswer
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := post("class=spam")
	if out.Class != "spam" || out.Features == 0 || len(out.Scopes) != 1 ||
		out.Scopes[0] != (LearnedScope{Scope: "site", Outcome: "learned", SpamLearned: 1}) {
		t.Errorf("first learn: %+v", out)
	}
	if out := post("class=spam"); out.Scopes[0].Outcome != "already learned" || out.Scopes[0].SpamLearned != 1 {
		t.Errorf("second learn: %+v, want already learned, 1 spam", out)
	}
	out = post("class=ham&recipient=Bob@example.net")
	if len(out.Scopes) != 2 || out.Scopes[0] != (LearnedScope{Scope: "site", Outcome: "moved", HamLearned: 1}) ||
		out.Scopes[1] != (LearnedScope{Scope: "recipient bob@example.net", Outcome: "learned", HamLearned: 1}) {
		t.Errorf("relearn as ham for bob: %+v", out)
	}
	if s, hm, _ := c.Learned(t.Context(), bayes.Recipient("bob@example.net")); s != 0 || hm != 1 {
		t.Errorf("bob's counts: %d spam %d ham", s, hm)
	}
	// The envelope form <bob@example.net> is bob's counts too.
	if out := post("class=ham&recipient=%3Cbob@example.net%3E"); len(out.Scopes) != 2 ||
		out.Scopes[1] != (LearnedScope{Scope: "recipient bob@example.net", Outcome: "already learned", HamLearned: 1}) {
		t.Errorf("learn for <bob@example.net>: %+v, want bob's counts, already learned", out)
	}
}

func TestPostLearnRefuses(t *testing.T) {
	h, _ := learnHandler(t, bayes.Options{MaxLearnPerDay: 1, Now: func() time.Time { return t0 }})
	for _, tc := range []struct {
		target, ctype, body string
		status              int
		errHas              string
	}{
		{"/v1/learn", "message/rfc822", learnMsg, http.StatusBadRequest, "class"},
		{"/v1/learn?class=junk", "message/rfc822", learnMsg, http.StatusBadRequest, "class"},
		{"/v1/learn?class=spam&rcpt=x", "message/rfc822", learnMsg, http.StatusBadRequest, "unknown parameter"},
		{"/v1/learn?class=spam&recipient=not%20an%20address", "message/rfc822", learnMsg, http.StatusBadRequest, "recipient"},
		// One envelope address: a display name or a list would learn in
		// counts no message is ever judged by.
		{"/v1/learn?class=spam&recipient=Bob%20%3Cbob@example.net%3E", "message/rfc822", learnMsg, http.StatusBadRequest, "recipient"},
		{"/v1/learn?class=spam&recipient=a@example.net,b@example.net", "message/rfc822", learnMsg, http.StatusBadRequest, "recipient"},
		{"/v1/learn?class=spam", "text/plain", learnMsg, http.StatusUnsupportedMediaType, "message/rfc822"},
		{"/v1/learn?class=spam", "message/rfc822", learnMsg, http.StatusOK, ""},
		{"/v1/learn?class=ham", "message/rfc822", strings.Replace(learnMsg, "cheap pills now", "lunch", 1), http.StatusTooManyRequests, "limit"},
	} {
		rec := do(h, request{method: http.MethodPost, target: tc.target, ctype: tc.ctype, body: tc.body})
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.errHas) {
			t.Errorf("%s %s: %d %s, want %d with %q", tc.target, tc.ctype, rec.Code, rec.Body, tc.status, tc.errHas)
		}
	}
	big := strings.Repeat("x", maxMessageBody+1)
	rec := do(h, request{method: http.MethodPost, target: "/v1/learn?class=spam", ctype: "message/rfc822", body: "Subject: x\r\n\r\n" + big, chunked: true})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a message over the limit: %d %s", rec.Code, rec.Body.String()[:min(200, rec.Body.Len())])
	}
	if rec := do(newHandler(t, Options{}), request{method: http.MethodPost, target: "/v1/learn?class=spam", ctype: "message/rfc822", body: learnMsg}); rec.Code != http.StatusNotFound {
		t.Errorf("without a classifier: %d, want 404", rec.Code)
	}
}
