package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"milter91/internal/bayes"
	"milter91/internal/counter"
	"milter91/internal/engine"
	"milter91/internal/txn"
)

// trainedClassifier learns two spam and two ham texts on store and votes
// after one of each.
func trainedClassifier(t *testing.T, store counter.Store) *bayes.Classifier {
	t.Helper()
	c, err := bayes.New(store, bayes.Options{MinLearned: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"cheap pills buy now", "cheap watches buy now", "minutes of the meeting", "lunch after the meeting"} {
		raw := "From: x@example.org\r\nSubject: s\r\n\r\n" + text + "\r\n"
		f, err := bayes.Tokenizer{}.ReadMessage(context.Background(), strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		class := bayes.Spam
		if i >= 2 {
			class = bayes.Ham
		}
		if _, err := c.Learn(context.Background(), f, class, bayes.Site); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestBayesStep(t *testing.T) {
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.2 -all", ""), Bayes: trainedClassifier(t, counter.NewMem(nil))})
	spam := strings.Replace(plainMessage, "Hello Bob.", "cheap pills, buy now", 1)
	out := mustEvaluate(t, e, transaction(t, spam))
	if b := out.Facts.Bayes; b.Result != txn.BayesSpam || b.Probability < 0.9 || b.Scope != "site" {
		t.Fatalf("Facts.Bayes = %+v, want spam from the site's counts", b)
	}
	if got := strings.Join(out.Verdict.RuleIDs(), " "); !strings.Contains(got, "BAYES_SPAM") || out.Verdict.Action != txn.ActionTag {
		t.Errorf("verdict %v %q, want a tag by BAYES_SPAM", out.Verdict.Action, got)
	}
	ham := strings.Replace(plainMessage, "Hello Bob.", "minutes of the lunch meeting", 1)
	if b := mustEvaluate(t, e, transaction(t, ham)).Facts.Bayes; b.Result != txn.BayesHam {
		t.Errorf("ham: Facts.Bayes = %+v, want ham", b)
	}
}

// failingStore fails every call, as a store that is down.
type failingStore struct{}

func (failingStore) Add(context.Context, []counter.Inc) ([]int64, error) {
	return nil, errors.New("store down")
}
func (failingStore) Get(context.Context, []string) ([]int64, error) {
	return nil, errors.New("store down")
}
func (failingStore) Close() error { return nil }

func TestBayesStoreFailureIsAFact(t *testing.T) {
	c, err := bayes.New(failingStore{}, bayes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.2 -all", ""), Bayes: c})
	out, err := evaluate(t, e, transaction(t, plainMessage))
	if err != nil {
		t.Fatalf("a failing classifier store made a fault: %v", err)
	}
	if b := out.Facts.Bayes; b.Result != txn.BayesTemperror {
		t.Errorf("Facts.Bayes = %+v, want temperror", b)
	}
	if out.Verdict.Action != txn.ActionAccept {
		t.Errorf("verdict %v, want accept", out.Verdict.Action)
	}
}

func TestBayesPerRecipient(t *testing.T) {
	store := counter.NewMem(nil)
	c := trainedClassifier(t, store)
	bob := bayes.Recipient("bob@example.net")
	for i, text := range []string{"cheap pills today", "cheap offer today", "meeting agenda", "meeting notes"} {
		f, _ := bayes.Tokenizer{}.ReadMessage(context.Background(), strings.NewReader("Subject: s\r\n\r\n"+text+"\r\n"))
		class := bayes.Ham // bob wants his cheap mail
		if i >= 2 {
			class = bayes.Spam
		}
		if _, err := c.Learn(context.Background(), f, class, bob); err != nil {
			t.Fatal(err)
		}
	}
	e := newEngine(t, engine.Options{Resolver: dns("", ""), Bayes: c, BayesPerRecipient: true})
	msg := strings.Replace(plainMessage, "Hello Bob.", "cheap pills", 1)
	if b := mustEvaluate(t, e, transaction(t, msg)).Facts.Bayes; b.Result != txn.BayesHam || b.Scope != "recipient bob@example.net" {
		t.Errorf("one recipient with his own counts: %+v, want ham by bob's", b)
	}
	tr := transaction(t, msg)
	tr.Rcpts = append(tr.Rcpts, "carol@example.net")
	if b := mustEvaluate(t, e, tr).Facts.Bayes; b.Result != txn.BayesSpam || b.Scope != "site" {
		t.Errorf("two recipients: %+v, want spam by the site's counts", b)
	}
}

func TestContentStep(t *testing.T) {
	msg := strings.Replace(plainMessage, "Hello Bob.", "log in at http://192.0.2.7/bank", 1)
	e := newEngine(t, engine.Options{Resolver: dns("", ""), ContentFacts: true})
	out := mustEvaluate(t, e, transaction(t, msg))
	if got := strings.Join(out.Facts.Content, " "); got != "ip_link" {
		t.Errorf("Facts.Content %q, want ip_link", got)
	}
	if got := strings.Join(out.Verdict.RuleIDs(), " "); !strings.Contains(got, "CONTENT_IP_LINK") {
		t.Errorf("rules %q, want CONTENT_IP_LINK", got)
	}
	off := newEngine(t, engine.Options{Resolver: dns("", "")})
	if got := mustEvaluate(t, off, transaction(t, msg)).Facts.Content; got != nil {
		t.Errorf("with content_facts off: %q", got)
	}
}

func TestAutolearn(t *testing.T) {
	ctx := context.Background()
	c := trainedClassifier(t, counter.NewMem(nil)) // 2 spam, 2 ham
	learned := func() (int64, int64) {
		s, h, err := c.Learned(ctx, bayes.Site)
		if err != nil {
			t.Fatal(err)
		}
		return s, h
	}
	al := &engine.Autolearn{SpamAt: 4, HamAt: 0}
	// SPF fails (SPF_FAIL, 4): learned as spam.
	fail := newEngine(t, engine.Options{Resolver: dns("v=spf1 -all", ""), Bayes: c, Autolearn: al})
	forged := strings.NewReplacer("Alice <alice@", "Mallory <mallory@", "Subject: hello", "Subject: invoice", "Hello Bob.", "quarterly figures attached").Replace(plainMessage)
	mustEvaluate(t, fail, transaction(t, forged))
	if s, h := learned(); s != 3 || h != 2 {
		t.Fatalf("after a message scoring 4: %d spam %d ham, want 3 and 2", s, h)
	}
	// Score 0 with a DMARC pass: learned as ham.
	pass := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.2 -all", "v=DMARC1; p=none"), Bayes: c, Autolearn: al})
	mustEvaluate(t, pass, transaction(t, strings.Replace(plainMessage, "Hello Bob.", "lunch after the meeting minutes", 1)))
	if s, h := learned(); s != 3 || h != 3 {
		t.Fatalf("after a clean message with DMARC pass: %d spam %d ham, want 3 and 3", s, h)
	}
	// Only the classifier's own rules (BAYES_SPAM, BAYES_SPAM_CERTAIN) say
	// spam: not learned as spam (it would confirm itself), nor as ham
	// against its verdict, though the rest scores 0 with a DMARC pass.
	out := mustEvaluate(t, pass, transaction(t, strings.Replace(plainMessage, "Hello Bob.", "cheap pills, buy now", 1)))
	if out.Verdict.Score < 5 {
		t.Fatalf("the spam-like message scored %v, want BAYES_SPAM", out.Verdict.Score)
	}
	if s, h := learned(); s != 3 || h != 3 {
		t.Errorf("after a message only the classifier calls spam: %d spam %d ham, want 3 and 3", s, h)
	}
	// Without Autolearn nothing is learned.
	off := newEngine(t, engine.Options{Resolver: dns("v=spf1 -all", ""), Bayes: c})
	mustEvaluate(t, off, transaction(t, strings.Replace(plainMessage, "Hello Bob.", "another message", 1)))
	if s, h := learned(); s != 3 || h != 3 {
		t.Errorf("autolearn off learned: %d spam %d ham", s, h)
	}
}
