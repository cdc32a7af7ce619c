// Package dmarc evaluates DMARC as RFC 9989 (DMARCbis) defines it: the
// policy record parser (p, sp, np, psd, t, and RFC 7489's pct, rf, ri
// accepted), policy discovery and organizational domains by the DNS tree
// walk (at most 8 queries per walk), identifier alignment, the policy
// that applies and the verification of external report destinations
// (RFC 9990).
//
// Section numbers are those of draft-ietf-dmarc-dmarcbis-41 and
// draft-ietf-dmarc-aggregate-reporting-32, the texts that became RFC 9989
// and RFC 9990.
//
// It only produces facts: whether a policy is applied, and how, is for
// the rules, which RFC 9989 §5.4 leaves to local policy ("Mail Receivers
// SHOULD NOT reject messages solely because of a published policy of
// reject").
//
// DNS goes through a resolver.Resolver: NXDOMAIN and NODATA mean no
// record; any other failure (timeout, SERVFAIL) is temporary and gives
// temperror, never fail (RFC 9989 §5.3.6: such a message "cannot be
// considered to pass or fail").
package dmarc
