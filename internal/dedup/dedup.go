// Package dedup counts each message once: the outbound rate limits, the
// Decree 91/2020 24 h cap (Art. 13.5) and (later) learning see a message
// that comes twice as one. A client that drops after the final dot,
// before it reads the 250, resends the same message in a new transaction;
// a second milter91 in one smtpd_milters list, or a re-evaluation, sees
// the same Postfix transaction again.
//
// A recipient of a message counts as already counted when, within the
// window, the same Postfix queue ID was counted for it, or the same
// Message-ID from the same envelope sender was (RFC 5322 §3.6.4: a
// resend keeps its Message-ID; Postfix gives it a new queue ID). A
// message without a Message-ID is known by its queue ID alone.
//
// The marks live in a shared counter store (internal/counter), so that
// every node of a fleet knows what any other counted. Counted reads
// (before the message is judged) and Mark writes (once it is accepted),
// so a message that was refused or deferred counts when it comes back;
// two copies judged at the same instant on two nodes may both count.
package dedup

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"milter91/internal/counter"
)

// Message is what identifies one message to one set of recipients.
type Message struct {
	// QueueID is Postfix's queue ID (macro i), "" when unknown.
	QueueID string
	// MessageID is the Message-ID field's value as received ("" when
	// absent); its angle brackets and surrounding space are ignored.
	MessageID string
	// Sender is the envelope sender ("" for the null sender).
	Sender string
	// Rcpts are the envelope recipients.
	Rcpts []string
}

// Once remembers counted messages on a store. Safe for concurrent use.
type Once struct {
	store  counter.Store
	window time.Duration
}

// DefaultWindow is how long a counted message is remembered by default:
// the Decree 91/2020 cap's 24 h.
const DefaultWindow = 24 * time.Hour

// New returns a Once on store remembering marks for window (DefaultWindow
// when not positive).
func New(store counter.Store, window time.Duration) *Once {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Once{store: store, window: window}
}

// Counted reports for each of m.Rcpts, in order, whether it was counted
// (Mark) within the window. Errors: the store's; the caller then counts
// the message (errs towards counting twice, never towards not at all).
func (o *Once) Counted(ctx context.Context, m Message) ([]bool, error) {
	keys := o.keys(m, m.Rcpts)
	if len(keys) == 0 {
		return make([]bool, len(m.Rcpts)), nil
	}
	vals, err := o.store.Get(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	per := len(keys) / len(m.Rcpts)
	out := make([]bool, len(m.Rcpts))
	for i := range out {
		for _, v := range vals[i*per : (i+1)*per] {
			out[i] = out[i] || v > 0
		}
	}
	return out, nil
}

// Mark records rcpts (recipients of m) as counted for the window.
// Errors: the store's (the message may then count again if it comes back).
func (o *Once) Mark(ctx context.Context, m Message, rcpts []string) error {
	keys := o.keys(m, rcpts)
	if len(keys) == 0 {
		return nil
	}
	incs := make([]counter.Inc, len(keys))
	for i, k := range keys {
		incs[i] = counter.Inc{Key: k, Delta: 1, TTL: o.window}
	}
	if _, err := o.store.Add(ctx, incs); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	return nil
}

// keys returns the counter keys of each of rcpts, the same number per
// recipient: "q:" and the hash of queue ID and recipient, "m:" and the
// hash of Message-ID, sender and recipient; none when m has neither.
// Recipients and senders compare without case; the Message-ID as written.
func (o *Once) keys(m Message, rcpts []string) []string {
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(m.MessageID), "<"), ">")
	var out []string
	for _, r := range rcpts {
		r = strings.ToLower(r)
		if m.QueueID != "" {
			out = append(out, "q:"+hash(m.QueueID, r))
		}
		if id != "" {
			out = append(out, "m:"+hash(id, strings.ToLower(m.Sender), r))
		}
	}
	return out
}

// hash returns a short key for parts (each of any length): SHA-256 over
// the parts with their lengths, base64 without padding.
func hash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
