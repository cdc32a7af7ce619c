package bayes

import (
	"context"
	"fmt"
	"io"

	"milter91/decree"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// spoolThreshold is the body kept in memory while reading a message to
// learn (the daemon's default spool_threshold): a 32 MiB message posted to
// the admin API goes to a file.
const spoolThreshold = 256 << 10

// ReadMessage reads one RFC 5322 message from r (the way `milter91 check`
// does: LF or CRLF line ends; no mbox From_ line) and returns its
// features. The body is spooled in memory up to spoolThreshold, then to a
// temporary file (removed before returning); r should be bounded by the
// caller. It stops decoding when ctx ends, keeping what was read. Errors
// come only from reading r and writing the spool.
func (tk Tokenizer) ReadMessage(ctx context.Context, r io.Reader) (*Features, error) {
	headers, body, err := txn.ReadMessage(r, spoolThreshold, "")
	if err != nil {
		if body != nil {
			body.Close() // a read error after the header: the spool file goes
		}
		return nil, fmt.Errorf("bayes: %w", err)
	}
	defer body.Close()
	t := &txn.Transaction{Headers: headers, Body: body}
	v := mailmsg.NewView(headers)
	return tk.Extract(v, decree.ReadBody(ctx, v, t.BodyReader(), 0, MaxTextBytes)), nil
}

// LearnReport is what LearnMessage did in one scope.
type LearnReport struct {
	Scope   Scope
	Outcome Outcome
	// SpamLearned and HamLearned are the scope's messages after learning.
	SpamLearned, HamLearned int64
}

// ParseClass returns Spam for "spam", Ham for "ham" and ErrClass for
// anything else.
func ParseClass(s string) (Class, error) {
	switch s {
	case "spam":
		return Spam, nil
	case "ham":
		return Ham, nil
	}
	return NoVote, fmt.Errorf("%w: %q", ErrClass, s)
}

// LearnMessage reads one message from r (as Tokenizer.ReadMessage, with
// the daemon's Tokenizer) and learns it as class in each of scopes (Site
// when none is given), reporting each: the one learning path of the admin
// API (POST /v1/learn), `milter91 learn` and the ARF reports of the decree
// issue, whose parser hands the reported message (the message/rfc822 part
// of RFC 5965 §2) here as spam. It returns the number of features and the
// first error: a read error of r, ErrClass, ErrFull or the store's.
func (c *Classifier) LearnMessage(ctx context.Context, r io.Reader, class Class, scopes ...Scope) (int, []LearnReport, error) {
	f, err := Tokenizer{}.ReadMessage(ctx, r)
	if err != nil {
		return 0, nil, err
	}
	if len(scopes) == 0 {
		scopes = []Scope{Site}
	}
	var out []LearnReport
	for _, s := range scopes {
		o, err := c.Learn(ctx, f, class, s)
		if err != nil {
			return f.Len(), out, err
		}
		rep := LearnReport{Scope: s, Outcome: o}
		if rep.SpamLearned, rep.HamLearned, err = c.Learned(ctx, s); err != nil {
			return f.Len(), out, err
		}
		out = append(out, rep)
	}
	return f.Len(), out, nil
}
