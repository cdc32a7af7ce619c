package dkimsign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/ctxio"
	"milter91/internal/mailmsg"
)

// SignedFields are the header fields a signature covers, each instance
// present (RFC 6376 §5.4.1's recommended set, trimmed to what a message
// usually carries); From is also oversigned: listed once more than
// present, so that a From field added later breaks the signature
// (RFC 6376 §5.4.2, §8.15).
var SignedFields = []string{
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID",
	"In-Reply-To", "References",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
}

// Options tune Sign.
type Options struct {
	// Expire, when positive, adds x= that many seconds after t= (RFC 6376
	// §3.5); receivers then refuse the signature after it. 0: no x=.
	Expire time.Duration
}

// ErrNoFrom is Sign's error for a header without a From field: RFC 6376
// §5.4 requires From to be signed.
var ErrNoFrom = errors.New("dkimsign: the message has no From field")

// Sign returns the DKIM-Signature fields to prepend to a message whose
// final header fields (as they will be delivered) are fields and whose
// body is read from body: one per active key of domain (Signing), in
// list order, relaxed/relaxed, SHA-256, over the SignedFields present
// with From oversigned. Each field's Value is as mailmsg.Field has it
// (leading space, folded with CRLF). No key for domain gives no fields
// and no error.
//
// The body is read once, in pieces, not past the end of ctx (the error
// then wraps context.Cause(ctx)); time is linear in the header and body
// sizes plus one private-key operation per key. Errors: ErrNoFrom, a
// body read error, or a signing error of go-msgauth.
func (ks *KeySet) Sign(ctx context.Context, domain string, fields []mailmsg.Field, body io.Reader, opts Options) ([]mailmsg.Field, error) {
	keys := ks.Signing(domain)
	if len(keys) == 0 {
		return nil, nil
	}
	names := headerKeys(fields)
	if names == nil {
		return nil, ErrNoFrom
	}
	var expire time.Time
	if opts.Expire > 0 {
		expire = time.Now().Add(opts.Expire)
	}
	signers := make([]*dkim.Signer, 0, len(keys))
	writers := make([]io.Writer, 0, len(keys))
	defer func() {
		for _, s := range signers {
			s.Close() // ends the signer's goroutine on an early return; a second Close is harmless
		}
	}()
	for _, k := range keys {
		s, err := dkim.NewSigner(&dkim.SignOptions{
			Domain: k.Domain, Selector: k.Selector, Signer: k.Signer,
			HeaderCanonicalization: dkim.CanonicalizationRelaxed,
			BodyCanonicalization:   dkim.CanonicalizationRelaxed,
			HeaderKeys:             names,
			Expiration:             expire,
		})
		if err != nil {
			return nil, fmt.Errorf("dkimsign: %s._domainkey.%s: %w", k.Selector, k.Domain, err)
		}
		signers = append(signers, s)
		writers = append(writers, s)
	}
	w := io.MultiWriter(writers...)
	if _, err := w.Write(mailmsg.AppendBlock(nil, fields)); err != nil {
		return nil, fmt.Errorf("dkimsign: %w", err)
	}
	if _, err := io.Copy(w, ctxio.NewReader(ctx, body)); err != nil {
		return nil, fmt.Errorf("dkimsign: reading the body: %w", err)
	}
	out := make([]mailmsg.Field, 0, len(signers))
	for i, s := range signers {
		if err := s.Close(); err != nil {
			return nil, fmt.Errorf("dkimsign: %s._domainkey.%s: %w", keys[i].Selector, keys[i].Domain, err)
		}
		out = append(out, toField(s.Signature()))
	}
	return out, nil
}

// headerKeys returns the h= list for fields: each SignedFields name once
// per instance present, From once more; nil when there is no From.
func headerKeys(fields []mailmsg.Field) []string {
	count := make(map[string]int, len(SignedFields))
	for _, n := range SignedFields {
		count[strings.ToLower(n)] = 0
	}
	for _, f := range fields {
		if n, ok := count[strings.ToLower(f.Name)]; ok {
			count[strings.ToLower(f.Name)] = n + 1
		}
	}
	if count["from"] == 0 {
		return nil
	}
	count["from"]++
	var out []string
	for _, n := range SignedFields {
		for range count[strings.ToLower(n)] {
			out = append(out, n)
		}
	}
	return out
}

// toField turns go-msgauth's "DKIM-Signature: ...CRLF" into a Field.
func toField(sig string) mailmsg.Field {
	name, value, _ := strings.Cut(strings.TrimSuffix(sig, "\r\n"), ":")
	return mailmsg.Field{Name: name, Value: value}
}
