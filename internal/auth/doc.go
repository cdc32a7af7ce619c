// Package auth authenticates the sender of one message and turns the answers
// into facts (txn.SPF, txn.DKIM, txn.DMARC) plus the Authentication-Results
// header field that the milter inserts. It never decides: the rules do.
//
// Every DNS lookup goes through a resolver.Resolver. Errors reaching the
// libraries are normalised to *net.DNSError values first (see dnsError),
// because blitiri.com.ar/go/spf and go-msgauth classify errors with plain
// type assertions, not errors.As: a wrapped timeout would otherwise turn
// into a permanent error.
//
// API (all safe for concurrent use):
//
//	CheckSPF(ctx, r, ip, helo, mailFrom) txn.SPF          RFC 7208
//	VerifyDKIM(ctx, r, msg, maxSigs) ([]txn.DKIM, error)  RFC 6376, RFC 8463
//	VerifyDKIMFields(ctx, r, fields, body, maxSigs)        the same, header already read
//	CheckDMARC(ctx, r, from, spf, dkim) txn.DMARC         RFC 7489 (from: mailmsg.View.From)
//	ResultsHeader(authservID, spf, dkim, dmarc) (name, value string)  RFC 8601
//	ClaimsAuthservID(value, authservID) bool              RFC 8601 §5
//
// Choices that go beyond the RFCs are documented on each function: DMARC
// answers permerror for zero or several From domains (RFC 7489 §6.6.1 lets
// receivers reject those), DKIM signatures with an l= tag answer "policy"
// (go-msgauth refuses them), and the expiry check of a DKIM x= tag uses the
// go-msgauth clock (time.Now), which cannot be passed in.
package auth
