// Package mailmsg reads the header block of an RFC 5322 message once, in
// time and memory linear in its size, however it is folded: the fields as
// received (ReadHeader), their unfolded values (Unfold) and the positions
// of each name's fields (IndexFields). It is the one header parser of
// milter91: no other package splits a header block into fields or unfolds
// a value.
//
// Hostile input is the normal case: a field of a million continuation
// lines costs the same per byte as a short one, and nothing here panics on
// any input.
package mailmsg
