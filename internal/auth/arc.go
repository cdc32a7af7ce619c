package auth

import (
	"context"
	"io"
	"strings"

	"github.com/emersion/go-msgauth/authres"

	"milter91/internal/arc"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// CheckARC validates the ARC chain of a message (RFC 8617 §5.2,
// internal/arc) whose header fields as received are headers and whose
// body is read from body: the result, the sealers and, with pass, the
// dmarc= result of the newest ARC-Authentication-Results, what the last
// intermediary saw before it changed the message. A key lookup that
// failed temporarily gives temperror, never fail. The error is the
// body's (it wraps context.Cause(ctx) when ctx ended).
func CheckARC(ctx context.Context, r resolver.Resolver, headers []txn.Header, body io.Reader) (txn.ARC, error) {
	res, err := arc.Verify(ctx, r, headers, body)
	if err != nil {
		return txn.ARC{}, err
	}
	out := txn.ARC{Result: res.Result, Sealers: res.Sealers, OldestPass: res.OldestPass, Detail: res.Detail}
	if res.Result == arc.ResultPass {
		out.DMARC = aarDMARC(res.AAR)
	}
	return out, nil
}

// aarDMARC returns the dmarc= result of an ARC-Authentication-Results
// value ("i=1; authserv-id; ..."; RFC 8617 §4.1.1), "" when it has none
// or cannot be read.
func aarDMARC(aar string) string {
	_, rest, ok := strings.Cut(aar, ";")
	if !ok {
		return ""
	}
	_, results, err := authres.Parse(strings.TrimSpace(rest))
	if err != nil {
		return ""
	}
	for _, r := range results {
		if d, ok := r.(*authres.DMARCResult); ok {
			return string(d.Value)
		}
	}
	return ""
}
