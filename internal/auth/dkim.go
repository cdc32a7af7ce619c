package auth

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/ctxio"
	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// DefaultMaxSignatures is the number of DKIM-Signature fields VerifyDKIM
// verifies when maxSigs <= 0 (RFC 6376 §6.1 lets verifiers limit the number of
// signatures they try).
const DefaultMaxSignatures = 5

// VerifyDKIM verifies the first maxSigs DKIM-Signature fields of the raw message
// msg (header, empty line, body; CRLF or LF line ends) and returns one
// txn.DKIM per verified field, in header order; more fields are ignored.
// maxSigs <= 0 means DefaultMaxSignatures. A message without a signature gives
// an empty slice (the Authentication-Results value is then dkim=none).
// The header is read by mailmsg.ReadHeader (a line that is not a field
// starts the body), then verified as VerifyDKIMFields does.
//
// RSA (RFC 6376, RFC 8301: at least 1024 bits, no SHA-1) and Ed25519
// (RFC 8463) keys are looked up as TXT records at
// <selector>._domainkey.<domain> through r, with ctx.
//
// Results (RFC 8601 §2.7.1): pass; fail when the body hash or the signature
// does not verify; policy when the signature has an l= tag (go-msgauth
// refuses partial-body signatures); temperror when the key lookup failed
// temporarily (RFC 6376 §6.1.2); permerror for every other problem: syntax,
// missing or revoked key, unsupported algorithm, expired x= (RFC 6376 §6.1).
// Detail gives the reason of every non-pass result.
//
// The error is non-nil only when msg cannot be read, or ctx ended while
// its body was read.
func VerifyDKIM(ctx context.Context, r resolver.Resolver, msg io.Reader, maxSigs int) ([]txn.DKIM, error) {
	br := readers.Get().(*bufio.Reader)
	br.Reset(msg)
	defer func() {
		br.Reset(nil)
		readers.Put(br)
	}()
	fields, first, err := mailmsg.ReadHeader(br)
	if err != nil {
		return nil, fmt.Errorf("auth: reading message header: %w", err)
	}
	return VerifyDKIMFields(ctx, r, fields, &headThenRest{head: bytes.NewReader(first), rest: br}, maxSigs)
}

// VerifyDKIMFields is VerifyDKIM on a message already split into its
// header fields as received (txn.Transaction.Headers) and a reader of its
// body. The header block given to go-msgauth is rebuilt from fields, so
// that both see the same fields, with only the fields a signature can
// cover (signedFields). Time is linear in the header's size (two passes
// over the fields, go-msgauth's read of the signed ones) plus one hash of
// the body per signature; the body is read in pieces of at most
// ctxio.Piece and not past the end of ctx. The error is non-nil only when
// body cannot be read, or ctx ended while it was (the error wraps
// context.Cause(ctx)).
func VerifyDKIMFields(ctx context.Context, r resolver.Resolver, fields []mailmsg.Field, body io.Reader, maxSigs int) ([]txn.DKIM, error) {
	if maxSigs <= 0 {
		maxSigs = DefaultMaxSignatures
	}
	tags := signatureTags(fields)
	if len(tags) == 0 {
		return nil, nil
	}
	opts := &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			v, err := r.LookupTXT(ctx, name)
			return v, dnsError(name, err)
		},
		MaxVerifications: maxSigs,
	}
	head := mailmsg.AppendBlock(nil, signedFields(fields, tags))
	msg := &headThenRest{head: bytes.NewReader(head), rest: ctxio.NewReader(ctx, body)}
	verifs, err := dkim.VerifyWithOptions(msg, opts)
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return nil, fmt.Errorf("auth: reading message: %w", err)
	}
	out := make([]txn.DKIM, 0, len(verifs))
	for i, v := range verifs {
		// verifs and tags come from the same fields in the same order; the
		// bound check only keeps a library change from becoming a panic.
		t := sigTags{}
		if i < len(tags) {
			t = tags[i]
		}
		out = append(out, dkimFact(t, v.Err))
	}
	return out, nil
}

// dkimFact maps one signature's tags and verification error to a fact.
func dkimFact(t sigTags, err error) txn.DKIM {
	d := txn.DKIM{
		Result:    txn.ResultPass,
		Domain:    strings.ToLower(strings.TrimSuffix(t["d"], ".")),
		Selector:  t["s"],
		Identity:  t["i"],
		Algorithm: strings.ToLower(t["a"]),
		HeaderB:   prefix(t["b"], 8),
	}
	if err == nil {
		return d
	}
	d.Detail = strings.TrimPrefix(err.Error(), "dkim: ")
	_, hasL := t["l"]
	switch {
	case dkim.IsTempFail(err):
		d.Result = txn.ResultTemperror
	case dkim.IsPermFail(err):
		d.Result = txn.ResultPermerror
	case hasL:
		// go-msgauth rejects l= with its signature-failure type before it
		// hashes anything; RFC 8601 §2.7.1 calls a signature that is
		// unacceptable to the verifier "policy".
		d.Result = txn.ResultPolicy
	default:
		d.Result = txn.ResultFail
	}
	return d
}

// prefix returns the first n bytes of s (all of s when shorter).
func prefix(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// readers recycles VerifyDKIM's message readers (4 KiB each, one per
// message otherwise); go-msgauth has read the whole message by the time
// VerifyWithOptions returns.
var readers = sync.Pool{New: func() any { return bufio.NewReader(nil) }}

// headThenRest is io.MultiReader(head, rest) for go-msgauth, which copies
// the body with io.Copy: its WriteTo hands the body over in the largest
// pieces rest has (one Write for a body in memory), where io.MultiReader's
// would allocate a 32 KiB buffer per message and copy through it.
type headThenRest struct {
	head *bytes.Reader
	rest io.Reader
}

func (h *headThenRest) Read(p []byte) (int, error) {
	if h.head.Len() > 0 {
		return h.head.Read(p)
	}
	return h.rest.Read(p)
}

// WriteTo writes what is left of head, then the rest.
func (h *headThenRest) WriteTo(w io.Writer) (int64, error) {
	n, err := h.head.WriteTo(w)
	if err != nil {
		return n, err
	}
	k, err := io.Copy(w, h.rest)
	return n + k, err
}
