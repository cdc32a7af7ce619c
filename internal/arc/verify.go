package arc

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/ctxio"
	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
)

// Results (RFC 8617 §4.4, RFC 8601 §2.7). Temperror is milter91's: a key
// lookup that failed temporarily leaves the chain unjudged, never fail.
const (
	ResultPass      = "pass"
	ResultFail      = "fail"
	ResultNone      = "none"
	ResultTemperror = "temperror"
)

// Result is the validation of a message's chain.
type Result struct {
	Result string
	// Instances is the number of ARC Sets.
	Instances int
	// Sealers are the d= of each ARC-Seal, instance 1 first: the
	// intermediaries that vouch for the chain (valid only with pass).
	Sealers []string
	// OldestPass is the lowest instance whose ARC-Message-Signature
	// verifies, all newer ones verifying too (RFC 8617 §5.2 step 5); 0
	// without pass.
	OldestPass int
	// AAR is the newest ARC-Authentication-Results value: what the last
	// sealer saw (meaningful only with pass).
	AAR    string
	Detail string
}

// Verify validates the ARC chain of a message whose header fields, as
// received, are fields and whose body is read from body (RFC 8617 §5.2):
// no ARC field gives none; the newest seal saying cv=fail, a broken
// structure (Sets), cv=none not at i=1 or not pass above, the newest
// ARC-Message-Signature or any ARC-Seal not verifying gives fail; a key
// lookup failing temporarily gives temperror; pass otherwise. Keys come
// from <s>._domainkey.<d> TXT records through r (dkim.QueryPublicKey;
// rsa-sha256 with 1024 bits or more, or ed25519-sha256).
//
// The body is read once, in pieces, not past ctx; the error is non-nil
// only when it cannot be read (it then wraps context.Cause(ctx) when ctx
// ended). Cost: one body hash per canonicalization used, one signature
// check per ARC-Message-Signature tried and per ARC-Seal (at most
// MaxInstances each), and their key lookups.
func Verify(ctx context.Context, r resolver.Resolver, fields []mailmsg.Field, body io.Reader) (Result, error) {
	sets, err := Sets(fields)
	if err != nil {
		return Result{Result: ResultFail, Detail: err.Error()}, nil
	}
	if len(sets) == 0 {
		return Result{Result: ResultNone}, nil
	}
	res := Result{Instances: len(sets), AAR: strings.TrimSpace(mailmsg.Unfold(sets[len(sets)-1].AAR.Value))}
	for _, s := range sets {
		res.Sealers = append(res.Sealers, strings.ToLower(s.seal["d"]))
	}
	fail := func(format string, args ...any) (Result, error) {
		res.Result, res.Detail = ResultFail, fmt.Sprintf(format, args...)
		return res, nil
	}
	if cv := sets[len(sets)-1].seal["cv"]; cv == "fail" {
		return fail("the newest ARC-Seal (i=%d) says cv=fail", len(sets))
	}
	for _, s := range sets {
		want := "pass"
		if s.Instance == 1 {
			want = "none"
		}
		if s.seal["cv"] != want {
			return fail("ARC-Seal i=%d has cv=%s, want %s", s.Instance, s.seal["cv"], want)
		}
	}
	bh, err := bodyHashes(ctx, body)
	if err != nil {
		return Result{}, err
	}
	v := &verifier{ctx: ctx, r: r, fields: fields, bh: bh}
	for i := len(sets) - 1; i >= 0; i-- {
		err := v.ams(sets[i])
		if err == nil {
			res.OldestPass = sets[i].Instance
			continue
		}
		if i == len(sets)-1 {
			return v.outcome(res, fmt.Errorf("ARC-Message-Signature i=%d: %w", sets[i].Instance, err))
		}
		break
	}
	for i := len(sets) - 1; i >= 0; i-- {
		if err := v.seal(sets[:i+1]); err != nil {
			res.OldestPass = 0
			return v.outcome(res, fmt.Errorf("ARC-Seal i=%d: %w", sets[i].Instance, err))
		}
	}
	res.Result = ResultPass
	return res, nil
}

type verifier struct {
	ctx    context.Context
	r      resolver.Resolver
	fields []mailmsg.Field
	bh     map[dkim.Canonicalization][]byte
}

// tempErr marks a temporary key lookup failure.
type tempErr struct{ error }

func (v *verifier) outcome(res Result, err error) (Result, error) {
	res.Result, res.Detail = ResultFail, err.Error()
	if _, ok := unwrapTemp(err); ok {
		res.Result = ResultTemperror
	}
	res.OldestPass = 0
	return res, nil
}

func unwrapTemp(err error) (tempErr, bool) {
	for err != nil {
		if t, ok := err.(tempErr); ok {
			return t, true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return tempErr{}, false
		}
		err = u.Unwrap()
	}
	return tempErr{}, false
}

// bodyHashes returns the SHA-256 of body under simple and relaxed body
// canonicalization (RFC 6376 §3.4.3, §3.4.4), reading body once.
func bodyHashes(ctx context.Context, body io.Reader) (map[dkim.Canonicalization][]byte, error) {
	hs := map[dkim.Canonicalization]hash.Hash{}
	var ws []io.Writer
	var closers []io.Closer
	for _, c := range []dkim.Canonicalization{dkim.CanonicalizationSimple, dkim.CanonicalizationRelaxed} {
		h := sha256.New()
		w, err := dkim.NewBodyCanonicalizer(c, h)
		if err != nil {
			return nil, err
		}
		hs[c] = h
		ws = append(ws, w)
		closers = append(closers, w)
	}
	if _, err := io.Copy(io.MultiWriter(ws...), ctxio.NewReader(ctx, body)); err != nil {
		return nil, fmt.Errorf("arc: reading the body: %w", err)
	}
	out := map[dkim.Canonicalization][]byte{}
	for i, c := range []dkim.Canonicalization{dkim.CanonicalizationSimple, dkim.CanonicalizationRelaxed} {
		if err := closers[i].Close(); err != nil {
			return nil, err
		}
		out[c] = hs[c].Sum(nil)
	}
	return out, nil
}

// checkCommon checks the tags an ARC-Message-Signature and an ARC-Seal
// share: a, b, d, s, and t when present.
func checkCommon(t tags) (crypto.Hash, string, error) {
	for _, n := range []string{"a", "b", "d", "s"} {
		if t[n] == "" {
			return 0, "", fmt.Errorf("no %s= tag", n)
		}
	}
	if v, ok := t["t"]; ok {
		if _, err := strconv.ParseUint(v, 10, 63); err != nil {
			return 0, "", fmt.Errorf("invalid t=%q", v)
		}
	}
	if !validDomain(t["d"]) {
		return 0, "", fmt.Errorf("invalid d=%q", t["d"])
	}
	switch t["a"] {
	case "rsa-sha256":
		return crypto.SHA256, "rsa", nil
	case "ed25519-sha256":
		return 0, "ed25519", nil
	}
	return 0, "", fmt.Errorf("unsupported algorithm a=%s", t["a"])
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || strings.HasPrefix(d, ".") {
		return false
	}
	for l := range strings.SplitSeq(strings.TrimSuffix(d, "."), ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(isAlpha(c) || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// check verifies sig (base64) over the SHA-256 of data with the key of
// t's s= and d=.
func (v *verifier) check(t tags, h crypto.Hash, alg string, data string) error {
	sig, err := base64.StdEncoding.DecodeString(t["b"])
	if err != nil {
		return fmt.Errorf("b= is not base64: %v", err)
	}
	// The resolver's errors are *net.DNSError, whose Temporary()
	// go-msgauth reads to tell a temporary failure.
	key, err := dkim.QueryPublicKey(strings.ToLower(t["d"]), t["s"], func(name string) ([]string, error) {
		return v.r.LookupTXT(v.ctx, name)
	})
	if err != nil {
		if dkim.IsTempFail(err) {
			return tempErr{err}
		}
		return err
	}
	if key.Algorithm != alg {
		return fmt.Errorf("a=%s but the key is %s", t["a"], key.Algorithm)
	}
	sum := sha256.Sum256([]byte(data))
	if err := key.Verify(h, sum[:], sig); err != nil {
		return fmt.Errorf("signature does not verify: %v", err)
	}
	return nil
}
