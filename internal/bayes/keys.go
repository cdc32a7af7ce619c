package bayes

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// The store layout. Every key starts with the namespace and the scope:
//
//	NS + "s:"                       the site-wide scope
//	NS + "r:" + H(recipient) + ":"  one recipient's scope
//
// then, within a scope:
//
//	"n"            messages learned
//	"t" + H(token) a token: the messages learned holding it
//	"d" + H(msg)   a message's digest: the times it was learned
//	"w" + DAY      messages learned on that UTC day (Unix days)
//
// H is unpadded URL-safe base64 (11 characters for a token's 64-bit hash,
// 16 for a recipient's and 22 for a digest's truncated SHA-256), so that a
// key is printable and short. Each counter holds both classes, packed as
// spam·2³² + ham (see pack): one key per token, not two, halves the keys
// read per message, and one atomic Add moves a message from one class to
// the other.

// Units of the packed counters.
const (
	spamUnit int64 = 1 << 32
	hamUnit  int64 = 1
)

// unpack splits a packed counter into its spam and ham counts. The ham
// count is the low 32 bits read as signed, so that a count briefly below
// zero (a relearn that met an expired key) does not borrow from the spam
// count; negative counts read as 0.
func unpack(v int64) (spam, ham int64) {
	ham = int64(int32(uint32(v)))
	spam = (v - ham) >> 32
	return max(spam, 0), max(ham, 0)
}

var b64 = base64.RawURLEncoding

// Scope names whose counts are read and written: the site's (the zero
// Scope, Site) or one recipient's.
type Scope struct {
	id   string // key infix; "" for the site
	name string // for String
}

// Site is the site-wide scope: every user's learning together.
var Site = Scope{}

// Recipient returns the scope of one recipient address (compared without
// case). The address is hashed into the keys: they stay short and hold no
// address.
func Recipient(addr string) Scope {
	addr = strings.ToLower(addr)
	sum := sha256.Sum256([]byte(addr))
	return Scope{id: "r:" + b64.EncodeToString(sum[:12]) + ":", name: "recipient " + addr}
}

// String returns "site" or "recipient ADDRESS" (lower case).
func (s Scope) String() string {
	if s.id == "" {
		return "site"
	}
	return s.name
}

// prefix returns the scope's key prefix under namespace ns.
func (s Scope) prefix(ns string) string {
	if s.id == "" {
		return ns + "s:"
	}
	return ns + s.id
}

// tokenKeys returns the keys of hashes under prefix, all backed by one
// string.
func tokenKeys(prefix string, hashes []uint64) []string {
	const hashLen = 11 // base64 of 8 bytes
	per := len(prefix) + 1 + hashLen
	buf := make([]byte, 0, per*len(hashes))
	var raw [8]byte
	for _, h := range hashes {
		buf = append(buf, prefix...)
		buf = append(buf, 't')
		binary.BigEndian.PutUint64(raw[:], h)
		buf = b64.AppendEncode(buf, raw[:])
	}
	all := string(buf)
	keys := make([]string, len(hashes))
	for i := range keys {
		keys[i] = all[i*per : (i+1)*per]
	}
	return keys
}
