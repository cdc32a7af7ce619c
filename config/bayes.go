package config

import (
	"strconv"
	"time"
)

// Bayes configures the content classifier (internal/bayes): where its
// token counts live, whose counts decide and when it votes.
type Bayes struct {
	// Enabled runs the classifier on every message (the facts bayes and
	// bayes_probability); off by default: it needs training first.
	Enabled bool
	// Store is the counter store of the token counts: "memory" keeps them
	// in the daemon until it stops; a SQLite file (one host), a PostgreSQL
	// URL or DSN, or a Redis URL (internal/counterstore) shares them with
	// every node and keeps them across restarts. Learning goes through the
	// admin API (POST /v1/learn, `milter91 learn`).
	Store string
	// MaxRows caps the counters of a SQL store (the soonest-expiring, the
	// rarest tokens, go first); 0 is no cap. Redis is bounded by its own
	// maxmemory, the memory store by Expire and MaxLearnPerDay.
	MaxRows int
	// PerRecipient classifies a message with one recipient by that
	// recipient's own counts once they have MinLearned of each class,
	// else by the site's; learning with a recipient counts in both.
	PerRecipient bool
	// MinLearned is the number of spam and of ham messages learned before
	// the classifier votes.
	MinLearned int
	// HamCutoff and SpamCutoff split the spam probability into ham (at or
	// below HamCutoff), unsure and spam (at or above SpamCutoff).
	HamCutoff, SpamCutoff float64
	// Expire is how long a token, a message digest and a count live after
	// they were last learned: tokens no longer seen expire.
	Expire time.Duration
	// MaxLearnPerDay bounds the messages one scope learns per day, and so
	// the store's growth (see internal/bayes, Options.MaxLearnPerDay).
	MaxLearnPerDay int
	// Autolearn learns from the verdicts: spam at a score (without the
	// BAYES_* rules) of AutolearnSpamAt or more, ham at AutolearnHamAt or
	// less with a DMARC pass unless the classifier says spam or unsure.
	Autolearn                       bool
	AutolearnSpamAt, AutolearnHamAt float64
}

type rawBayes struct {
	Enabled        bool   `yaml:"enabled"`
	Store          string `yaml:"store"`
	MaxRows        number `yaml:"max_rows"`
	PerRecipient   bool   `yaml:"per_recipient"`
	MinLearned     number `yaml:"min_learned"`
	HamCutoff      number `yaml:"ham_cutoff"`
	SpamCutoff     number `yaml:"spam_cutoff"`
	Expire         string `yaml:"expire"`
	MaxLearnPerDay number `yaml:"max_learn_per_day"`
	Autolearn      bool   `yaml:"autolearn"`
	SpamAt         number `yaml:"autolearn_spam_at"`
	HamAt          number `yaml:"autolearn_ham_at"`
}

// Bounds of the bayes keys.
const (
	maxBayesMinLearned = 1_000_000
	maxBayesLearnDay   = 10_000_000
)

func (v *validator) bayes(c *Config, r *rawBayes) {
	b := Bayes{Enabled: r.Enabled, Store: r.Store, PerRecipient: r.PerRecipient,
		MinLearned:     v.count("$.bayes.min_learned", r.MinLearned, 1, maxBayesMinLearned),
		MaxLearnPerDay: v.count("$.bayes.max_learn_per_day", r.MaxLearnPerDay, 1, maxBayesLearnDay),
		MaxRows:        v.count("$.bayes.max_rows", r.MaxRows, 0, maxCounterRows),
	}
	if b.Store == "" {
		v.fail("$.bayes.store", "bayes.store: empty: want memory, a SQLite file, a PostgreSQL URL or DSN, or a Redis URL")
	}
	// The pairs are compared only when both values are valid: a bad one
	// reads as 0, which is no value the admin wrote.
	var okHam, okSpam bool
	b.HamCutoff, okHam = v.fraction("$.bayes.ham_cutoff", r.HamCutoff)
	b.SpamCutoff, okSpam = v.fraction("$.bayes.spam_cutoff", r.SpamCutoff)
	if okHam && okSpam && b.HamCutoff > b.SpamCutoff {
		v.fail("$.bayes.ham_cutoff", "bayes.ham_cutoff: %g is above spam_cutoff %g", b.HamCutoff, b.SpamCutoff)
	}
	exp, err := parseDays(r.Expire)
	switch {
	case err != nil:
		v.fail("$.bayes.expire", "bayes.expire: %v", err)
	case exp < 24*time.Hour:
		v.fail("$.bayes.expire", "bayes.expire: %s is below one day", r.Expire)
	}
	b.Expire = exp
	b.Autolearn = r.Autolearn
	b.AutolearnSpamAt, okSpam = v.score("$.bayes.autolearn_spam_at", r.SpamAt)
	b.AutolearnHamAt, okHam = v.score("$.bayes.autolearn_ham_at", r.HamAt)
	if okHam && okSpam && b.AutolearnHamAt >= b.AutolearnSpamAt {
		v.fail("$.bayes.autolearn_ham_at", "bayes.autolearn_ham_at: %g is not below autolearn_spam_at %g", b.AutolearnHamAt, b.AutolearnSpamAt)
	}
	c.Bayes = b
}

// score reads a score (a number from -1000 to 1000, not NaN) at path.
// ok is false when it is not one (and the error recorded).
func (v *validator) score(path string, n number) (float64, bool) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || !(f >= -1000 && f <= 1000) { // NaN fails both comparisons
		v.fail(path, "%s: want a score from -1000 to 1000, got %q", path[2:], string(n))
		return 0, false
	}
	return f, true
}

// fraction reads a number from 0 to 1 (not NaN) at path.
// ok is false when it is not one (and the error recorded).
func (v *validator) fraction(path string, n number) (float64, bool) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || !(f >= 0 && f <= 1) { // NaN fails both comparisons
		v.fail(path, "%s: want a number from 0 to 1, got %q", path[2:], string(n))
		return 0, false
	}
	return f, true
}
