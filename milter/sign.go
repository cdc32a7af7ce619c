package milter

import (
	"context"
	"fmt"
	"io"

	"milter91/internal/txn"
)

// faultSign: the message was to be signed and signing failed.
const faultSign = "sign"

// Delivered returns the header block received as the MTA delivers it
// after edits (applyEdits' semantics, Postfix's numbering): what a
// signature made at end of message must cover. received is not changed.
func Delivered(received []txn.Header, edits []txn.HeaderEdit) []txn.Header {
	out, _ := applyEdits(nil, received, edits, editOptions{deliver: true, warn: func(string, ...any) {}})
	return out
}

// SignEdits returns edits followed by the inserts of the signature fields
// req makes over the header block as delivered after edits and the body
// read from body: each inserted at the top (Index 1), above every field
// the edits insert, so that no later edit of milter91 changes what the
// signatures cover. The error is req.Sign's.
func SignEdits(ctx context.Context, received []txn.Header, edits []txn.HeaderEdit, req *txn.Signing, body io.Reader) ([]txn.HeaderEdit, error) {
	sigs, err := req.Sign(ctx, Delivered(received, edits), body)
	if err != nil {
		return nil, fmt.Errorf("milter: signing for %s: %w", req.Domain, err)
	}
	out := make([]txn.HeaderEdit, 0, len(edits)+len(sigs))
	out = append(out, edits...)
	// Each insert at 1 goes above the previous one: insert the last
	// signature first so that the fields read in req's order.
	for i := len(sigs) - 1; i >= 0; i-- {
		out = append(out, txn.HeaderEdit{Op: txn.EditInsert, Name: sigs[i].Name, Value: sigs[i].Value, Index: 1})
	}
	return out, nil
}

// sign adds the signature edits of d.sign to d, reading the body of t
// within Options.Deadline; a failure is an internal fault and the fail
// mode answers. d without a signing request, or not accepting, is
// returned as is.
func (s *Server) sign(t *txn.Transaction, received []txn.Header, d decision) decision {
	if d.sign == nil || d.action > txn.ActionQuarantine || d.fault != nil {
		return d
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.Deadline)
	defer cancel()
	edits, err := SignEdits(ctx, received, d.edits, d.sign, t.BodyReader())
	if err != nil {
		return s.failDecision(&fault{kind: faultSign, err: err})
	}
	d.edits, d.signed = edits, d.sign.Domain
	return d
}
