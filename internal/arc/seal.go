package arc

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/mailmsg"
)

// SealedFields are the header fields an ARC-Message-Signature covers,
// each instance present: what a forwarder is expected to keep intact,
// with DKIM-Signature so that the next hop can see what was signed.
// ARC-Seal is never listed (RFC 8617 §4.1.2).
var SealedFields = []string{
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID",
	"In-Reply-To", "References",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
	"DKIM-Signature",
}

// ErrNotSealed is Seal's error when RFC 8617 forbids a new ARC Set: the
// newest ARC-Seal already says cv=fail (§5.1.1 step 1: the chain is
// dead), the next instance would be over MaxInstances, or the chain
// could not be judged (temperror).
var ErrNotSealed = errors.New("arc: no ARC Set may be added")

// Sealer is the key an ADMD seals with: the d= and s= of its ARC-Seal
// and ARC-Message-Signature, and the private key (*rsa.PrivateKey for
// rsa-sha256, ed25519.PrivateKey for ed25519-sha256, RFC 8463).
type Sealer struct {
	Domain   string
	Selector string
	Signer   crypto.Signer
}

// Seal returns the ARC Set of instance i = the newest present + 1 for a
// message whose header fields, as they will be delivered, are fields and
// whose body is read from body (RFC 8617 §5.1): ARC-Seal,
// ARC-Message-Signature and ARC-Authentication-Results, in the order to
// prepend them. chain is Verify's Result.Result for this message, which
// gives cv=none (no chain), pass or fail; authResults is the value of
// our own Authentication-Results field (authserv-id first), copied into
// the ARC-Authentication-Results after "i=N;".
//
// The ARC-Message-Signature is relaxed/relaxed over the SealedFields
// present; the ARC-Seal covers every ARC Set, oldest first (§5.1.1), or
// only the new one with cv=fail (§5.1.2). Errors: ErrNotSealed, a chain
// result inconsistent with fields, a body read error (wrapping
// context.Cause(ctx) when ctx ended), or the signer's error. Time is
// linear in the header and body sizes plus two private-key operations.
func (s Sealer) Seal(ctx context.Context, fields []mailmsg.Field, body io.Reader, chain, authResults string, now time.Time) ([]mailmsg.Field, error) {
	alg, err := sealAlgorithm(s.Signer)
	if err != nil {
		return nil, err
	}
	last, lastCV := newest(fields)
	if lastCV == "fail" || last >= MaxInstances || chain == ResultTemperror {
		return nil, ErrNotSealed
	}
	cv, err := chainStatus(chain, last)
	if err != nil {
		return nil, err
	}
	i := last + 1
	bh, err := bodyHashes(ctx, body)
	if err != nil {
		return nil, err
	}
	common := fmt.Sprintf(" i=%d; a=%s; d=%s; s=%s; t=%d;", i, alg, s.Domain, s.Selector, now.Unix())
	aar := mailmsg.Field{Name: "ARC-Authentication-Results", Value: fmt.Sprintf(" i=%d; %s", i, strings.TrimSpace(authResults))}
	names := sealedNames(fields)
	ams := mailmsg.Field{Name: "ARC-Message-Signature", Value: common + " c=relaxed/relaxed;\r\n h=" +
		strings.Join(names, ":") + ";\r\n bh=" + base64.StdEncoding.EncodeToString(bh[dkim.CanonicalizationRelaxed]) + ";\r\n b="}
	var data strings.Builder
	pick := newPicker(fields)
	for _, n := range names {
		c, _ := dkim.CanonicalizeHeader(dkim.CanonicalizationRelaxed, raw(*pick.next(n)))
		data.WriteString(c)
	}
	if err := s.sign(&ams, &data); err != nil {
		return nil, err
	}
	seal := mailmsg.Field{Name: "ARC-Seal", Value: common + " cv=" + cv + ";\r\n b="}
	data.Reset()
	if cv != "fail" {
		sets, err := Sets(fields)
		if err != nil {
			return nil, fmt.Errorf("arc: chain %s but %w", chain, err)
		}
		for _, old := range sets {
			for _, f := range []*mailmsg.Field{old.AAR, old.AMS, old.Seal} {
				c, _ := dkim.CanonicalizeHeader(dkim.CanonicalizationRelaxed, raw(*f))
				data.WriteString(c)
			}
		}
	}
	for _, f := range []mailmsg.Field{aar, ams} {
		c, _ := dkim.CanonicalizeHeader(dkim.CanonicalizationRelaxed, raw(f))
		data.WriteString(c)
	}
	if err := s.sign(&seal, &data); err != nil {
		return nil, err
	}
	return []mailmsg.Field{seal, ams, aar}, nil
}

// sign appends to f's value (which ends in "b=") the signature of the
// SHA-256 of data followed by f itself, relaxed, without its final CRLF
// (RFC 6376 §3.7), folded in lines of 72 characters.
func (s Sealer) sign(f *mailmsg.Field, data *strings.Builder) error {
	self, _ := dkim.CanonicalizeHeader(dkim.CanonicalizationRelaxed, raw(*f))
	data.WriteString(strings.TrimSuffix(self, "\r\n"))
	sum := sha256.Sum256([]byte(data.String()))
	var opts crypto.SignerOpts = crypto.SHA256
	if _, ok := s.Signer.Public().(ed25519.PublicKey); ok {
		opts = crypto.Hash(0) // RFC 8463 §3: Ed25519 over the SHA-256 digest
	}
	sig, err := s.Signer.Sign(rand.Reader, sum[:], opts)
	if err != nil {
		return fmt.Errorf("arc: signing with %s._domainkey.%s: %w", s.Selector, s.Domain, err)
	}
	b := base64.StdEncoding.EncodeToString(sig)
	for len(b) > 72 {
		f.Value += b[:72] + "\r\n "
		b = b[72:]
	}
	f.Value += b
	return nil
}

func sealAlgorithm(k crypto.Signer) (string, error) {
	if k == nil {
		return "", errors.New("arc: no sealing key")
	}
	switch k.Public().(type) {
	case *rsa.PublicKey:
		return "rsa-sha256", nil
	case ed25519.PublicKey:
		return "ed25519-sha256", nil
	}
	return "", fmt.Errorf("arc: unsupported sealing key %T", k.Public())
}

// chainStatus is the cv= of the new ARC-Seal (RFC 8617 §4.1.3, §5.1.1).
func chainStatus(chain string, last int) (string, error) {
	switch {
	case chain == ResultFail:
		return "fail", nil
	case chain == ResultNone && last == 0:
		return "none", nil
	case chain == ResultPass && last > 0:
		return "pass", nil
	}
	return "", fmt.Errorf("arc: chain %q with %d ARC Sets present", chain, last)
}

// newest returns the highest instance of any readable ARC field and the
// cv= of the ARC-Seal of that instance, if any: with a broken structure
// the new set still takes the next instance (RFC 8617 §5.1.2).
func newest(fields []mailmsg.Field) (int, string) {
	last, cv := 0, ""
	for _, f := range fields {
		name := strings.ToLower(f.Name)
		if name != nameAAR && name != nameAMS && name != nameSeal {
			continue
		}
		n, t, err := fieldInstance(name, f.Value)
		if err != nil || n < last {
			continue
		}
		if n > last {
			last, cv = n, ""
		}
		if name == nameSeal {
			cv = t["cv"]
		}
	}
	return last, cv
}

// sealedNames is the h= list: each SealedFields name once per instance
// present.
func sealedNames(fields []mailmsg.Field) []string {
	count := map[string]int{}
	for _, f := range fields {
		count[strings.ToLower(f.Name)]++
	}
	var out []string
	for _, n := range SealedFields {
		for range count[strings.ToLower(n)] {
			out = append(out, n)
		}
	}
	return out
}
