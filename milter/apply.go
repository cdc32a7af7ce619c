package milter

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// headerModifier is the part of go-milter's Modifier that applyEdits uses.
type headerModifier interface {
	AddHeader(name, value string) error
	ChangeHeader(index int, name, value string) error
	InsertHeader(index int, name, value string) error
}

// maxHeaderPacket bounds name + value of one header edit: a milter packet
// carries at most 64 KiB - 1 bytes, less the index and two NULs.
const maxHeaderPacket = 65535 - 1 - 4 - 2

// applyEdits sends edits to the MTA in the given order.
//
// Index semantics follow Postfix (cleanup/cleanup_milter.c, milter/milter8.c):
//   - delete and change: Index counts the headers named Name (any case) as
//     received, from 1, i.e. as in txn.Transaction.Headers. Postfix unlinks a
//     deleted header, which renumbers later ones of the same name, so the
//     index sent is Index minus the earlier deletes of that name below it
//     (Sendmail only marks deleted headers and would need Index as is);
//     a second edit of a header already deleted is skipped. Postfix hides its
//     own newest Received: header from milters and numbers past it. Delete is
//     SMFIR_CHGHEADER with an empty value; a change to an empty value is a
//     delete too.
//   - insert: Index 1 is the top of the headers the milter saw; i means
//     "before the i-th of the current headers". SMFIR_INSHEADER index i puts
//     the header after i headers of the stored message, whose first is the
//     MTA's own Received:, so Index goes on the wire unchanged (index 0 would
//     go above that Received:, breaking trace order). Index < 1 means 1.
//   - add: appended after the last header (SMFIR_ADDHEADER).
//
// Values: the engine writes " value" (leading space, folding as CRLF + WSP).
// With SMFIP_HDR_LEADSPC the MTA stores the value as given; without it the
// MTA inserts one space itself, so one leading space is dropped here. A line
// break not followed by a space or tab would start a new header, so a tab is
// inserted; NUL becomes a space; a trailing line break is dropped.
//
// An edit with an invalid name (RFC 5322 §3.6.8 ftext), a bad index or too
// long for one packet is skipped and reported through warn. The error
// returned is the milter connection's.
func applyEdits(m headerModifier, edits []txn.HeaderEdit, leadSpace bool, warn func(msg string, args ...any)) error {
	deleted := map[string][]int{}
	for _, e := range edits {
		if reason := checkEdit(e); reason != "" {
			warn("header edit skipped", "op", string(e.Op), "name", e.Name, "index", e.Index, "reason", reason)
			continue
		}
		value := wireValue(e.Value, leadSpace)
		var err error
		switch e.Op {
		case txn.EditDelete, txn.EditChange:
			key := strings.ToLower(e.Name)
			idx, at, ok := currentIndex(deleted[key], e.Index)
			if !ok {
				warn("header edit skipped", "op", string(e.Op), "name", e.Name, "index", e.Index, "reason", "header already deleted")
				continue
			}
			if e.Op == txn.EditDelete || value == "" {
				value = ""
				deleted[key] = slices.Insert(deleted[key], at, e.Index)
			}
			err = m.ChangeHeader(idx, e.Name, value)
		case txn.EditInsert:
			err = m.InsertHeader(max(e.Index, 1), e.Name, value)
		case txn.EditAdd:
			err = m.AddHeader(e.Name, value)
		}
		if err != nil {
			return fmt.Errorf("milter: header %s %s: %w", e.Op, e.Name, err)
		}
	}
	return nil
}

// checkEdit returns why e cannot be sent, "" when it can.
func checkEdit(e txn.HeaderEdit) string {
	switch e.Op {
	case txn.EditDelete, txn.EditChange:
		if e.Index < 1 {
			return "index must be 1 or more"
		}
	case txn.EditInsert, txn.EditAdd:
	default:
		return "unknown operation"
	}
	if !mailmsg.ValidName(e.Name) {
		return "invalid header name"
	}
	if len(e.Name)+len(e.Value) > maxHeaderPacket {
		return "header too long for one milter packet"
	}
	return ""
}

// currentIndex maps an as-received index to the MTA's current numbering
// after the deletes in deleted (as-received indices, in descending order),
// and says where orig goes in deleted; false when orig itself was deleted.
// A binary search, and the engine deletes from the last header up, so
// that each insert is an append: thousands of deletes stay O(n log n).
func currentIndex(deleted []int, orig int) (idx, at int, ok bool) {
	at = sort.Search(len(deleted), func(i int) bool { return deleted[i] <= orig })
	if at < len(deleted) && deleted[at] == orig {
		return 0, 0, false
	}
	return orig - (len(deleted) - at), at, true
}

// wireValue prepares a header value for SMFIR_*HEADER, see applyEdits.
func wireValue(v string, leadSpace bool) string {
	v = strings.TrimRight(strings.ReplaceAll(v, "\x00", " "), "\r\n")
	if !leadSpace && strings.HasPrefix(v, " ") {
		v = v[1:]
	}
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		b.WriteByte(v[i])
		if v[i] == '\r' && i+1 < len(v) && v[i+1] == '\n' {
			continue
		}
		if (v[i] == '\n' || v[i] == '\r') && i+1 < len(v) && v[i+1] != ' ' && v[i+1] != '\t' {
			b.WriteByte('\t')
		}
	}
	return b.String()
}
