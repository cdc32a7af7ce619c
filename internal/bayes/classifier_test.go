package bayes

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"milter91/internal/counter"
)

// message returns the features of a plain-text message with body text;
// every message of these tests has the same header, so that only the text
// tells them apart.
func message(t *testing.T, text string) *Features {
	t.Helper()
	raw := "From: sender@example.com\r\nTo: user@example.com\r\nSubject: hello\r\n\r\n" + text + "\r\n"
	f, err := Tokenizer{Names: true}.ReadMessage(context.Background(), strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// trained returns a classifier that votes after one message per class,
// having learned the hand-made set: two spam, two ham.
func trained(t *testing.T) *Classifier {
	t.Helper()
	c, err := New(counter.NewMem(nil), Options{MinLearned: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		text  string
		class Class
	}{
		{"cheap pills now", Spam},
		{"cheap watches now", Spam},
		{"meeting notes now", Ham},
		{"lunch meeting today", Ham},
	} {
		if _, err := c.Learn(context.Background(), message(t, m.text), m.class, Site); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestHandComputed checks the token probabilities and their combination
// against values worked out by hand from the formulas (S = 0.45, X = 0.5;
// 2 spam and 2 ham learned):
//
//	cheap   (2 spam, 0 ham): p = 1,   f = (0.225 + 2·1)/(0.45 + 2)   = 0.908163…
//	meeting (0 spam, 2 ham): p = 0,   f = 0.225/2.45                 = 0.091837…
//	now     (2 spam, 1 ham): p = 2/3, f = (0.225 + 3·2/3)/(0.45 + 3) = 0.644928…
//
// The header and structure tokens, alike in all four messages, have
// p = 0.5 and are no clues. Fisher's combination with 2n degrees of
// freedom, chi2Q(x, 2n) = e^(−x/2) Σ_{i<n} (x/2)^i / i!:
//
//	"cheap now":         I = 0.877392…
//	"cheap meeting now": I = 0.561739…
//	"meeting today":     I = 0.052152… (today, 0 spam 1 ham: f = 0.225/1.45)
func TestHandComputed(t *testing.T) {
	c := trained(t)
	ctx := context.Background()
	want := map[string]float64{"cheap": 2.225 / 2.45, "meeting": 0.225 / 2.45, "now": 2.225 / 3.45}
	for _, tc := range []struct {
		text   string
		prob   float64
		class  Class
		tokens []string
	}{
		{"cheap now", 0.8773922554794169, Spam, []string{"cheap", "now"}},
		{"cheap meeting now", 0.5617386937778471, Unsure, []string{"cheap", "meeting", "now"}},
		{"meeting today", 0.052152027892779174, Ham, []string{"meeting", "today"}},
	} {
		res, clues, err := c.Explain(ctx, message(t, tc.text))
		if err != nil {
			t.Fatal(err)
		}
		if len(clues) != len(tc.tokens) {
			t.Errorf("%q: clues %+v, want the tokens %v", tc.text, clues, tc.tokens)
			continue
		}
		for _, k := range clues {
			if w, ok := want[k.Token]; ok && math.Abs(k.Probability-w) > 1e-12 {
				t.Errorf("%q: f(%s) = %.15f, want %.15f", tc.text, k.Token, k.Probability, w)
			}
		}
		if math.Abs(res.Probability-tc.prob) > 1e-9 || res.Class != tc.class {
			t.Errorf("%q: probability %.12f class %v, want %.12f %v", tc.text, res.Probability, res.Class, tc.prob, tc.class)
		}
	}
}

func TestMinLearnedBeforeVoting(t *testing.T) {
	ctx := context.Background()
	c, err := New(counter.NewMem(nil), Options{MinLearned: 2})
	if err != nil {
		t.Fatal(err)
	}
	learn := func(text string, class Class) {
		if _, err := c.Learn(ctx, message(t, text), class, Site); err != nil {
			t.Fatal(err)
		}
	}
	learn("cheap pills now", Spam)
	learn("cheap watches now", Spam)
	learn("meeting notes now", Ham)
	res, err := c.Classify(ctx, message(t, "cheap now"))
	if err != nil || res.Class != NoVote || res.Probability != 0.5 || res.SpamLearned != 2 || res.HamLearned != 1 {
		t.Fatalf("with 2 spam and 1 ham learned: %+v, %v; want no vote", res, err)
	}
	learn("lunch meeting today", Ham)
	if res, _ := c.Classify(ctx, message(t, "cheap now")); res.Class != Spam {
		t.Errorf("with 2 of each: %+v, want spam", res)
	}
}

func TestLearnTwiceCountsOnceAndRelearnMoves(t *testing.T) {
	ctx := context.Background()
	c := trained(t)
	m := message(t, "cheap pills now")
	if got, err := c.Learn(ctx, m, Spam, Site); got != AlreadyLearned || err != nil {
		t.Fatalf("learning a spam again as spam: %v, %v; want already learned", got, err)
	}
	if s, h, _ := c.Learned(ctx, Site); s != 2 || h != 2 {
		t.Fatalf("learned %d spam %d ham after the repeat, want 2 and 2", s, h)
	}
	if got, err := c.Learn(ctx, m, Ham, Site); got != Moved || err != nil {
		t.Fatalf("relearning it as ham: %v, %v; want moved", got, err)
	}
	if s, h, _ := c.Learned(ctx, Site); s != 1 || h != 3 {
		t.Fatalf("learned %d spam %d ham after the move, want 1 and 3", s, h)
	}
	_, clues, _ := c.Explain(ctx, message(t, "pills"))
	// pills: 0 spam, 1 ham of 1 spam and 3 ham learned: f = 0.225/1.45.
	if len(clues) != 1 || clues[0].Spam != 0 || clues[0].Ham != 1 || math.Abs(clues[0].Probability-0.225/1.45) > 1e-12 {
		t.Errorf("pills after the move: %+v, want 0 spam 1 ham, f = 0.155172…", clues)
	}
	if got, _ := c.Learn(ctx, m, Ham, Site); got != AlreadyLearned {
		t.Errorf("learning it as ham again: %v, want already learned", got)
	}
	if got, _ := c.Learn(ctx, m, Spam, Site); got != Moved {
		t.Errorf("moving it back: %v, want moved", got)
	}
	if s, h, _ := c.Learned(ctx, Site); s != 2 || h != 2 {
		t.Errorf("learned %d spam %d ham after moving back, want 2 and 2", s, h)
	}
}

func TestRecipientScope(t *testing.T) {
	ctx := context.Background()
	c := trained(t)
	alice := Recipient("Alice@example.com")
	if got := alice.String(); got != "recipient alice@example.com" {
		t.Errorf("String = %q", got)
	}
	res, err := c.Classify(ctx, message(t, "cheap now"), alice, Site)
	if err != nil || res.Scope != Site || res.Class != Spam {
		t.Fatalf("alice learned nothing: %+v, %v; want the site's verdict", res, err)
	}
	for _, text := range []string{"cheap offer", "cheap deal"} {
		c.Learn(ctx, message(t, text), Ham, alice)
	}
	for _, text := range []string{"meeting pills", "other pills"} {
		c.Learn(ctx, message(t, text), Spam, alice)
	}
	res, _ = c.Classify(ctx, message(t, "cheap now"), Recipient("alice@EXAMPLE.com"), Site)
	if res.Scope != alice || res.Class != Ham {
		t.Errorf("alice calls cheap ham: %+v, want her own verdict, ham", res)
	}
	if s, h, _ := c.Learned(ctx, Site); s != 2 || h != 2 {
		t.Errorf("alice's learning changed the site: %d spam %d ham", s, h)
	}
}

func TestMaxLearnPerDay(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	c, _ := New(counter.NewMem(func() time.Time { return now }), Options{MaxLearnPerDay: 2, Now: func() time.Time { return now }})
	c.Learn(ctx, message(t, "one"), Spam, Site)
	c.Learn(ctx, message(t, "two"), Ham, Site)
	if _, err := c.Learn(ctx, message(t, "three"), Spam, Site); !errors.Is(err, ErrFull) {
		t.Fatalf("third learn of the day: %v, want ErrFull", err)
	}
	if s, h, _ := c.Learned(ctx, Site); s != 1 || h != 1 {
		t.Errorf("the refused learn counted: %d spam %d ham", s, h)
	}
	if got, err := c.Learn(ctx, message(t, "one"), Spam, Site); got != AlreadyLearned || err != nil {
		t.Errorf("a repeat at the limit: %v, %v; want already learned", got, err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := c.Learn(ctx, message(t, "three"), Spam, Site); err != nil {
		t.Errorf("the next day: %v", err)
	}
}

func TestTokensExpire(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := counter.NewMem(clock)
	c, _ := New(store, Options{MinLearned: 1, TTL: 48 * time.Hour, Now: clock})
	c.Learn(ctx, message(t, "rare"), Spam, Site)
	now = now.Add(24 * time.Hour)
	c.Learn(ctx, message(t, "common"), Ham, Site)
	now = now.Add(25 * time.Hour) // "rare" is 49 h old, "common" 25 h
	if left := store.Sweep(); left == 0 {
		t.Fatal("everything expired")
	}
	_, clues, _ := c.Explain(ctx, message(t, "rare common"))
	for _, k := range clues {
		if k.Token == "rare" {
			t.Errorf("rare outlived its TTL: %+v", k)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, opt := range []Options{
		{HamCutoff: 0.9, SpamCutoff: 0.5},
		{HamCutoff: 0.1, SpamCutoff: 1.5},
		{MinLearned: -1},
	} {
		if _, err := New(counter.NewMem(nil), opt); err == nil {
			t.Errorf("New(%+v) accepted", opt)
		}
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("New without a store accepted")
	}
}
