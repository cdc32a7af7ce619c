package bayes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"milter91/internal/counter"
)

// Class is the classifier's verdict on a message.
type Class int

const (
	// NoVote: too few messages learned in a class (Options.MinLearned) for
	// the counts to mean anything.
	NoVote Class = iota
	Ham
	Unsure
	Spam
)

// String returns "none", "ham", "unsure" or "spam".
func (c Class) String() string {
	switch c {
	case Ham:
		return "ham"
	case Unsure:
		return "unsure"
	case Spam:
		return "spam"
	}
	return "none"
}

// Options configure a Classifier; a zero field takes its default.
type Options struct {
	// Namespace starts every key (default "bayes:"), so that one store
	// can hold other counters, or a second model.
	Namespace string
	// MinLearned is the number of spam and of ham messages a scope must
	// have learned before it votes (default 200).
	MinLearned int64
	// HamCutoff and SpamCutoff split the spam probability: at most
	// HamCutoff is ham, at least SpamCutoff spam, between them unsure
	// (defaults DefaultHamCutoff, DefaultSpamCutoff).
	HamCutoff, SpamCutoff float64
	// Params are the constants of the combination.
	Params Params
	// TTL is how long a token, a digest or a scope's message count lives
	// after it was last learned (default DefaultTTL): rare tokens expire.
	TTL time.Duration
	// Batch bounds the keys of one store call (default 200).
	Batch int
	// MaxLearnPerDay bounds the messages one scope learns per UTC day
	// (default DefaultMaxLearnPerDay); Learn past it returns ErrFull. With
	// TTL it bounds the store: a scope holds at most about
	// (MaxFeatures+1) × MaxLearnPerDay × TTL-in-days keys, since every
	// key is refreshed only by a learn and expires TTL after the last.
	// (The counter store has no key count, so no exact key cap.)
	MaxLearnPerDay int64
	// Now reads the clock for the day of MaxLearnPerDay (time.Now when
	// nil).
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultNamespace  = "bayes:"
	DefaultMinLearned = 200
	DefaultHamCutoff  = 0.20
	DefaultSpamCutoff = 0.60
	// DefaultTTL is rspamd's Bayes expiry: 100 days.
	DefaultTTL            = 100 * 24 * time.Hour
	DefaultBatch          = 200
	DefaultMaxLearnPerDay = 10000
)

// Classifier classifies and learns messages with counts in a
// counter.Store. It is safe for concurrent use, by several processes on
// one store too.
type Classifier struct {
	store counter.Store
	opt   Options
}

// New returns a Classifier over store. It fails when the cutoffs are not
// 0 ≤ HamCutoff ≤ SpamCutoff ≤ 1, or a count, TTL or batch is negative.
func New(store counter.Store, opt Options) (*Classifier, error) {
	if opt.Namespace == "" {
		opt.Namespace = DefaultNamespace
	}
	if opt.HamCutoff == 0 && opt.SpamCutoff == 0 {
		opt.HamCutoff, opt.SpamCutoff = DefaultHamCutoff, DefaultSpamCutoff
	}
	switch {
	case store == nil:
		return nil, errors.New("bayes: no store")
	case opt.HamCutoff < 0 || opt.HamCutoff > opt.SpamCutoff || opt.SpamCutoff > 1:
		return nil, fmt.Errorf("bayes: cutoffs ham %v spam %v, want 0 ≤ ham ≤ spam ≤ 1", opt.HamCutoff, opt.SpamCutoff)
	case opt.MinLearned < 0 || opt.TTL < 0 || opt.Batch < 0 || opt.MaxLearnPerDay < 0:
		return nil, errors.New("bayes: negative MinLearned, TTL, Batch or MaxLearnPerDay")
	}
	if opt.MaxLearnPerDay == 0 {
		opt.MaxLearnPerDay = DefaultMaxLearnPerDay
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MinLearned == 0 {
		opt.MinLearned = DefaultMinLearned
	}
	if opt.TTL == 0 {
		opt.TTL = DefaultTTL
	}
	if opt.Batch == 0 {
		opt.Batch = DefaultBatch
	}
	opt.Params = opt.Params.withDefaults()
	return &Classifier{store: store, opt: opt}, nil
}

// Result is what Classify says of one message.
type Result struct {
	Class Class
	// Probability is the combined spam probability, 0 to 1 (0.5 for
	// NoVote).
	Probability float64
	// Clues is the number of tokens combined.
	Clues int
	// Scope is the scope whose counts decided (the first of Classify's
	// that had learned enough; the first when none had).
	Scope Scope
	// SpamLearned and HamLearned are the messages Scope has learned.
	SpamLearned, HamLearned int64
}

// Classify returns the verdict on a message's features from the counts of
// the first of scopes (Site when none is given) that has learned
// MinLearned messages of each class; NoVote when none has. It makes two
// rounds of store calls: the scopes' message counts, then the tokens in
// batches of Options.Batch keys. Errors are the store's.
func (c *Classifier) Classify(ctx context.Context, f *Features, scopes ...Scope) (Result, error) {
	res, _, err := c.classify(ctx, f, scopes)
	return res, err
}

// Clue is one token's evidence in a verdict.
type Clue struct {
	// Token is the token, "" unless the Features came from a Tokenizer
	// with Names.
	Token string
	// Probability is the token's spam probability.
	Probability float64
	// Spam and Ham are the messages learned that hold it.
	Spam, Ham int64
}

// Explain is Classify returning also the clues combined, strongest first:
// why a message got its verdict.
func (c *Classifier) Explain(ctx context.Context, f *Features, scopes ...Scope) (Result, []Clue, error) {
	res, clues, err := c.classify(ctx, f, scopes)
	if err != nil {
		return res, nil, err
	}
	slices.SortFunc(clues, func(a, b clue) int {
		if weaker(a, b) {
			return 1
		}
		return -1
	})
	out := make([]Clue, len(clues))
	for i, k := range clues {
		out[i] = Clue{Token: f.names[k.hash], Probability: k.prob, Spam: k.spam, Ham: k.ham}
	}
	return res, out, nil
}

func (c *Classifier) classify(ctx context.Context, f *Features, scopes []Scope) (Result, []clue, error) {
	if len(scopes) == 0 {
		scopes = []Scope{Site}
	}
	keys := make([]string, len(scopes))
	for i, s := range scopes {
		keys[i] = s.prefix(c.opt.Namespace) + "n"
	}
	counts, err := c.store.Get(ctx, keys)
	if err != nil {
		return Result{}, nil, fmt.Errorf("bayes: reading message counts: %w", err)
	}
	res := Result{Class: NoVote, Probability: 0.5, Scope: scopes[0]}
	res.SpamLearned, res.HamLearned = unpack(counts[0])
	chosen := -1
	for i, v := range counts {
		if s, h := unpack(v); s >= c.opt.MinLearned && h >= c.opt.MinLearned {
			chosen = i
			res.Scope, res.SpamLearned, res.HamLearned = scopes[i], s, h
			break
		}
	}
	if chosen < 0 {
		return res, nil, nil
	}
	values, err := c.get(ctx, tokenKeys(res.Scope.prefix(c.opt.Namespace), f.hashes))
	if err != nil {
		return Result{}, nil, fmt.Errorf("bayes: reading tokens: %w", err)
	}
	clues := c.opt.Params.clues(f, values, res.SpamLearned, res.HamLearned)
	res.Clues = len(clues)
	res.Probability = chiCombine(clues)
	switch {
	case res.Probability >= c.opt.SpamCutoff:
		res.Class = Spam
	case res.Probability <= c.opt.HamCutoff:
		res.Class = Ham
	default:
		res.Class = Unsure
	}
	return res, clues, nil
}

// Learned returns the numbers of spam and ham messages scope has learned.
func (c *Classifier) Learned(ctx context.Context, scope Scope) (spam, ham int64, err error) {
	v, err := c.store.Get(ctx, []string{scope.prefix(c.opt.Namespace) + "n"})
	if err != nil {
		return 0, 0, fmt.Errorf("bayes: reading message counts: %w", err)
	}
	spam, ham = unpack(v[0])
	return spam, ham, nil
}

// get reads keys in batches of Options.Batch.
func (c *Classifier) get(ctx context.Context, keys []string) ([]int64, error) {
	out := make([]int64, 0, len(keys))
	for len(keys) > 0 {
		n := min(len(keys), c.opt.Batch)
		v, err := c.store.Get(ctx, keys[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
		keys = keys[n:]
	}
	return out, nil
}
