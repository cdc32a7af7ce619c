package bayes

import (
	"context"
	"fmt"
	"io"

	"milter91/decree"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// ReadMessage reads one RFC 5322 message from r (the way `milter91 check`
// does: LF or CRLF line ends; no mbox From_ line) and returns its
// features. The body is spooled in memory; r should be bounded by the
// caller. It stops decoding when ctx ends, keeping what was read. Errors
// come only from reading r.
func (tk Tokenizer) ReadMessage(ctx context.Context, r io.Reader) (*Features, error) {
	headers, body, err := txn.ReadMessage(r, 0, "")
	if err != nil {
		return nil, fmt.Errorf("bayes: %w", err)
	}
	defer body.Close()
	t := &txn.Transaction{Headers: headers, Body: body}
	v := mailmsg.NewView(headers)
	return tk.Extract(v, decree.ReadBody(ctx, v, t.BodyReader(), 0, MaxTextBytes)), nil
}
