// Package arc validates Authenticated Received Chains (RFC 8617): the
// ARC sets of a message (ARC-Authentication-Results, ARC-Message-Signature,
// ARC-Seal with the same i=), the chain's structure, the newest
// ARC-Message-Signature and every ARC-Seal, giving arc=pass, fail or none
// with the sealers (the d= of each ARC-Seal) and the oldest instance
// whose message signature still verifies (RFC 8617 §5.2, "oldest-pass").
//
// Canonicalization and key records are go-msgauth's (dkim.CanonicalizeHeader,
// dkim.NewBodyCanonicalizer, dkim.QueryPublicKey); this package adds what
// ARC defines on top: the header sets, the seal's hash input and the
// chain rules. Sealer.Seal adds an ARC Set for an ADMD that forwards
// (RFC 8617 §5.1).
package arc
