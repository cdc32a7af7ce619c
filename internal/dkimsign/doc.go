// Package dkimsign signs outbound mail with DKIM (RFC 6376; Ed25519 keys,
// RFC 8463): the keys of the dkim.sign config list, the signing of a
// message's final header block and body, and the policy of who may obtain
// a signature for which domain.
//
// The signatures are made by go-msgauth's dkim.Signer (relaxed/relaxed,
// SHA-256, t= always, x= when Options.Expire is set); this package only
// chooses the keys and the header fields. Sign takes the header fields as
// they will be delivered, after every header edit of milter91, so that
// the signature covers what the next hop receives.
//
// # Keys
//
// A KeySet is built from the dkim.sign list ([]KeySpec: domain, selector,
// key file) by Load; a reload (SIGHUP) builds a new one and swaps it in
// only when it loaded without a problem. Key files are PEM: PKCS#1 ("RSA
// PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") RSA of 2048 to 4096 bits, or
// PKCS#8 Ed25519; a file readable or writable by group or others (mode
// beyond 0600) is refused, as is an RSA key under 2048 bits.
//
// For each domain, the first listed key of each algorithm signs: a domain
// with an RSA and an Ed25519 key gets two signatures (RFC 8463 §4:
// Ed25519 verifiers are not yet everywhere, RSA ones are). Later keys of
// the same algorithm are loaded and checked but do not sign: they are the
// standby keys of a rotation.
//
// # Rotation
//
// To replace selector s2026r by s2027r for example.test:
//
//  1. milter91 dkim keygen --domain example.test --selector s2027r ...
//     and publish the TXT record it prints;
//  2. add the entry after the old one and reload: the new key is checked
//     at once but does not sign yet;
//  3. once the record is visible (its TTL passed), move the new entry
//     before the old one and reload: new mail is signed with s2027r;
//  4. keep the old record published for a few days (mail in queues and
//     resent mail carries s2026r signatures), then remove it from DNS
//     and its entry from dkim.sign.
//
// # Who may sign
//
// Authorizer decides whether a SASL login may obtain a signature for the
// RFC5322.From domain of its message: only for the domains listed for it,
// or by default for its own login domain, so that one hosted customer
// cannot obtain another customer's valid signature (rspamd's
// allow_username_mismatch = false).
package dkimsign
