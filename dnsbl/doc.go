// Package dnsbl asks IP DNS blocklists about the SMTP client address and
// reads local block list files; it returns facts (txn.DNSBL), never actions.
//
// A DNS blocklist (DNSBL, RFC 5782) publishes each listed address as an
// A record under the zone: the client 192.0.2.99 is looked up as
// "99.2.0.192.<zone>" (RFC 5782 §2.1) and an IPv6 client as its 32 reversed
// nibbles (§2.4). An answer inside 127.0.0.0/8 means "listed"; the answer's
// value says why (e.g. Spamhaus ZEN 127.0.0.2 = SBL, 127.0.0.10-11 = PBL).
// NXDOMAIN means "not listed" (RFC 5782 §2).
//
// Decisions this package makes, in one place:
//
//   - Return-code mapping: a zone may map answers to tags by exact address,
//     CIDR or last-octet bitmask (CodeMap). When a zone has mappings, an
//     answer that matches none of them is not a listing: it is kept in
//     Answers and named in Detail. This is the convention of rspamd
//     (returncodes with unknown=false), Postfix postscreen (=filter) and
//     SpamAssassin subtests, and it stops a new, undocumented code from
//     blocking mail. A zone without mappings treats every answer inside
//     127.0.0.0/8 as a listing, with no tags.
//   - Error answers: 127.255.255.0/24 and 127.0.1.255 (Spamhaus "query
//     refused / open resolver / IP queries prohibited") and each zone's
//     ErrorCodes are never listings. One error answer makes the whole zone
//     result "blocked", even next to listing answers, because a zone that
//     refuses the query cannot be trusted for that query.
//   - Answers outside 127.0.0.0/8 (a wildcarding resolver, a parked zone
//     domain) are ignored and named in Detail: listing values live in
//     127.0.0.0/8 by convention (RFC 5782 §2).
//   - Every valid client address is queried, loopback and private ones
//     included: skipping trusted networks is the rules' business, and the
//     RFC 5782 §5 test entries (127.0.0.2 listed, 127.0.0.1 not) make
//     loopback the address of tests and health checks. IPv4-mapped IPv6
//     addresses are queried as IPv4; IPv6 clients only in zones with IPv6
//     set.
//   - A zone that answers "blocked" is paused (Checker, circuit breaker)
//     for Options.PauseAfterBlocked, 300 s by default like SpamAssassin's
//     dns_block_time: a zone that refuses us refuses every query, usually
//     because we reach it through a public resolver.
//
// Local lists (Decree 91/2020 Art. 8 and 9.12: the national IP/domain
// blacklist, as files) are loaded with LoadList.
package dnsbl
