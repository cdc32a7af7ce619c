package txn

import (
	"context"
	"io"
)

// Signing is the evaluator's request to sign an accepted message (DKIM,
// RFC 6376) once its header edits are applied: the adapter computes the
// header block as it will be delivered, calls Sign with it and the body,
// and inserts the fields returned at the top (above the other inserted
// fields), so that the signature covers what the next hop receives.
type Signing struct {
	// Domain is the signing domain (d=), the RFC5322.From domain.
	Domain string
	// Sign returns the DKIM-Signature fields for the final header block
	// headers and the body (CRLF line ends), read once; it honours ctx.
	Sign func(ctx context.Context, headers []Header, body io.Reader) ([]Header, error)
}
