package bayes

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"

	"milter91/internal/counter"
)

// Outcome is what Learn did.
type Outcome int

const (
	// Learned: the message was counted in the class.
	Learned Outcome = iota
	// Moved: the message had been learned as the other class; it was
	// moved (counted out of that class, into this one).
	Moved
	// AlreadyLearned: the message had been learned as this class;
	// nothing changed.
	AlreadyLearned
)

// String returns "learned", "moved" or "already learned".
func (o Outcome) String() string {
	switch o {
	case Moved:
		return "moved"
	case AlreadyLearned:
		return "already learned"
	}
	return "learned"
}

// ErrClass is returned by Learn for a class other than Spam or Ham.
var ErrClass = errors.New("bayes: can learn only spam or ham")

// ErrFull is returned, wrapped, by Learn when the scope has learned
// Options.MaxLearnPerDay messages today; nothing is changed.
var ErrFull = errors.New("bayes: the day's learning limit is reached")

// Learn counts a message's features in class (Spam or Ham) in scope. A
// message is known by its digest (see Features.digest): learning it again
// as the same class changes nothing, learning it as the other class moves
// it. The digest is claimed first with one atomic Add, so that of two
// nodes learning the same message at once one counts it; then the
// tokens and the scope's message count are added in batches of
// Options.Batch. When a batch fails, the batches already applied and the
// claim are undone as far as the store lets, and the error is returned:
// learning again later counts the message once.
func (c *Classifier) Learn(ctx context.Context, f *Features, class Class, scope Scope) (Outcome, error) {
	unit, other := spamUnit, hamUnit
	switch class {
	case Spam:
	case Ham:
		unit, other = hamUnit, spamUnit
	default:
		return 0, ErrClass
	}
	prefix := scope.prefix(c.opt.Namespace)
	digest := f.digest()
	dkey := prefix + "d" + b64.EncodeToString(digest[:])
	wkey := prefix + "w" + strconv.FormatInt(c.opt.Now().Unix()/86400, 10)
	v, err := c.store.Add(ctx, []counter.Inc{{Key: dkey, Delta: unit, TTL: c.opt.TTL}, {Key: wkey, Delta: 1, TTL: 48 * time.Hour}})
	if err != nil {
		return 0, fmt.Errorf("bayes: learning: %w", err)
	}
	mine, theirs := unpack(v[0])
	if class == Ham {
		mine, theirs = theirs, mine
	}
	undoClaim := []counter.Inc{{Key: dkey, Delta: -unit, TTL: c.opt.TTL}, {Key: wkey, Delta: -1, TTL: 48 * time.Hour}}
	switch {
	case mine > 1:
		_, err := c.store.Add(context.WithoutCancel(ctx), undoClaim)
		return AlreadyLearned, err
	case v[1] > c.opt.MaxLearnPerDay:
		_, _ = c.store.Add(context.WithoutCancel(ctx), undoClaim)
		return 0, fmt.Errorf("%w (%d messages in %s)", ErrFull, c.opt.MaxLearnPerDay, scope)
	}
	outcome, delta := Learned, unit
	var incs []counter.Inc
	if theirs > 0 {
		outcome, delta = Moved, unit-other
		incs = append(incs, counter.Inc{Key: dkey, Delta: -theirs * other, TTL: c.opt.TTL})
	}
	for _, k := range tokenKeys(prefix, f.hashes) {
		incs = append(incs, counter.Inc{Key: k, Delta: delta, TTL: c.opt.TTL})
	}
	incs = append(incs, counter.Inc{Key: prefix + "n", Delta: delta, TTL: c.opt.TTL})
	if err := c.addBatches(ctx, incs); err != nil {
		_, _ = c.store.Add(context.WithoutCancel(ctx), undoClaim)
		return 0, fmt.Errorf("bayes: learning: %w", err)
	}
	return outcome, nil
}

// addBatches adds incs in batches of Options.Batch; when one fails, it
// adds the negation of those applied (without ctx's end: the undo must
// run also when ctx ended) and returns the error.
func (c *Classifier) addBatches(ctx context.Context, incs []counter.Inc) error {
	for done := 0; done < len(incs); {
		n := min(len(incs)-done, c.opt.Batch)
		if _, err := c.store.Add(ctx, incs[done:done+n]); err != nil {
			undo := make([]counter.Inc, done)
			for i, in := range incs[:done] {
				undo[i] = counter.Inc{Key: in.Key, Delta: -in.Delta, TTL: in.TTL}
			}
			_ = c.addBatches(context.WithoutCancel(ctx), undo)
			return err
		}
		done += n
	}
	return nil
}

// digest identifies a message on every path it takes to the learner
// (milter, mailbox, admin API): a SHA-256, cut to 128 bits, of what
// relays and delivery leave alone: the Message-ID, the From address, the
// MIME shape and the decoded text read. Received fields and tags a filter
// adds to the Subject are not in it.
func (f *Features) digest() [16]byte {
	h := sha256.New()
	write := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	write("milter91 bayes digest 1")
	write(f.msgID)
	write(f.from)
	for _, p := range f.parts {
		write(p.Type)
		write(p.Filename)
	}
	for _, t := range f.texts {
		write(t)
	}
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}
