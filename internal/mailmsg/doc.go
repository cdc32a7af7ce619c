// Package mailmsg reads the header block of an RFC 5322 message once, in
// time and memory linear in its size, however it is folded, and gives
// every check the same view of it:
//
//   - ReadHeader: the fields as received; Unfold: a value without its
//     line breaks (RFC 5322 §2.2.3); IndexFields: each name's fields;
//   - View (NewView): the fields, their unfolded values, the parsed From
//     (RFC 5322 §3.6.2, with a FromStatus for a missing or unparsable one)
//     and the decoded Subject (DecodeHeader, RFC 2047);
//   - ParseAddressList: the one address-list parser (From, Reply-To);
//   - Domain, ParseDomain, OrgDomain: a domain in its A-label and U-label
//     forms (IDNA, RFC 5891) and its organizational domain (RFC 7489
//     §3.2, Public Suffix List).
//
// It is the one header parser of milter91: no other package splits a
// header block into fields, unfolds a value, parses a From field or
// computes an organizational domain. Hostile input is the normal case: a
// field of a million continuation lines costs the same per byte as a
// short one, and nothing here panics on any input.
package mailmsg
