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

// editOptions say how applyEdits writes values and what it keeps.
type editOptions struct {
	// leadSpace: SMFIP_HDR_LEADSPC was negotiated.
	leadSpace bool
	// deliver: return the header block as delivered.
	deliver bool
	// warn reports each edit skipped.
	warn func(msg string, args ...any)
}

// applyEdits sends edits to the MTA in the given order and applies them
// to a copy of the received header block the way the MTA does, so that
// what the caller is told was delivered is what the MTA was sent. It
// returns that header block (nil unless opt.deliver; received itself when
// nothing changed it). m nil sends nothing. The error is the milter
// connection's; the edits after it are still applied to the copy.
//
// Index semantics follow Postfix's cleanup (milter8 protocol):
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
// A line break not followed by a space or tab would start a new header, so
// a tab is inserted; NUL becomes a space; a trailing line break is dropped
// (the delivered value is the value so cleaned). With SMFIP_HDR_LEADSPC the
// MTA stores the value as given; without it the MTA inserts one space
// itself, so one leading space is dropped on the wire.
//
// An edit with an invalid name (RFC 5322 §3.6.8 ftext), a bad index or too
// long for one packet is skipped and reported through opt.warn. Linear in
// the headers and edits (an insert below the inserted top headers walks
// the header block; the engine inserts at the top only).
func applyEdits(m headerModifier, received []txn.Header, edits []txn.HeaderEdit, opt editOptions) ([]txn.Header, error) {
	var d *delivery
	if opt.deliver && len(edits) > 0 {
		d = newDelivery(received)
	}
	deleted := map[string][]int{} // per lower-cased name: as-received indices deleted, descending
	var sendErr error
	for _, e := range edits {
		if reason := checkEdit(e); reason != "" {
			opt.warn("header edit skipped", "op", string(e.Op), "name", e.Name, "index", e.Index, "reason", reason)
			continue
		}
		value := cleanValue(e.Value)
		wire, idx := wireValue(value, opt.leadSpace), 0
		switch e.Op {
		case txn.EditDelete, txn.EditChange:
			key := strings.ToLower(e.Name)
			cur, at, ok := currentIndex(deleted[key], e.Index)
			if !ok {
				opt.warn("header edit skipped", "op", string(e.Op), "name", e.Name, "index", e.Index, "reason", "header already deleted")
				continue
			}
			del := e.Op == txn.EditDelete || wire == ""
			if del {
				wire = ""
				deleted[key] = slices.Insert(deleted[key], at, e.Index)
			}
			d.change(key, e.Index, value, del)
			idx = cur
		case txn.EditInsert:
			idx = max(e.Index, 1)
			d.insert(idx, txn.Header{Name: e.Name, Value: value})
		case txn.EditAdd:
			d.add(txn.Header{Name: e.Name, Value: value})
		}
		if m != nil && sendErr == nil {
			sendErr = sendEdit(m, e.Op, idx, e.Name, wire)
		}
	}
	if !opt.deliver {
		return nil, sendErr
	}
	if d == nil {
		return received, sendErr
	}
	return d.headers(), sendErr
}

// sendEdit sends one checked edit: SMFIR_CHGHEADER for change and delete
// (an empty value deleting), SMFIR_INSHEADER, SMFIR_ADDHEADER.
func sendEdit(m headerModifier, op txn.EditOp, index int, name, value string) error {
	var err error
	switch op {
	case txn.EditDelete, txn.EditChange:
		err = m.ChangeHeader(index, name, value)
	case txn.EditInsert:
		err = m.InsertHeader(index, name, value)
	default:
		err = m.AddHeader(name, value)
	}
	if err != nil {
		return fmt.Errorf("milter: header %s %s: %w", op, name, err)
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

// cleanValue makes a header value safe to store, see applyEdits: NUL
// becomes a space, a trailing line break goes, and a line break not
// followed by a space or tab gets a tab.
func cleanValue(v string) string {
	v = strings.TrimRight(strings.ReplaceAll(v, "\x00", " "), "\r\n")
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

// wireValue is a cleaned value as SMFIR_*HEADER carries it, see applyEdits.
func wireValue(v string, leadSpace bool) string {
	if !leadSpace && strings.HasPrefix(v, " ") {
		return v[1:]
	}
	return v
}
