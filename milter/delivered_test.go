package milter

import (
	"errors"
	"testing"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

func TestDeliveredHeaders(t *testing.T) {
	received := []txn.Header{{Name: "A", Value: " 1"}, {Name: "B", Value: " 2"}, {Name: "a", Value: " 3"}}
	tests := []struct {
		name  string
		edits []txn.HeaderEdit
		want  string
	}{
		{name: "none", want: "A: 1\r\nB: 2\r\na: 3"},
		{name: "delete second A by per-name index", edits: []txn.HeaderEdit{{Op: txn.EditDelete, Name: "A", Index: 2}}, want: "A: 1\r\nB: 2"},
		{name: "change to empty deletes", edits: []txn.HeaderEdit{{Op: txn.EditChange, Name: "B", Index: 1}}, want: "A: 1\r\na: 3"},
		{name: "change", edits: []txn.HeaderEdit{{Op: txn.EditChange, Name: "b", Index: 1, Value: " x"}}, want: "A: 1\r\nB: x\r\na: 3"},
		{name: "all of a name deleted, any order", edits: []txn.HeaderEdit{{Op: txn.EditDelete, Name: "a", Index: 1},
			{Op: txn.EditDelete, Name: "A", Index: 2}, {Op: txn.EditDelete, Name: "A", Index: 1}}, want: "B: 2"},
		{name: "missing index ignored", edits: []txn.HeaderEdit{{Op: txn.EditDelete, Name: "C", Index: 1}}, want: "A: 1\r\nB: 2\r\na: 3"},
		{name: "insert on top, add at end", edits: []txn.HeaderEdit{{Op: txn.EditAdd, Name: "Z", Value: " z"},
			{Op: txn.EditInsert, Name: "Y", Index: 1, Value: " y"}}, want: "Y: y\r\nA: 1\r\nB: 2\r\na: 3\r\nZ: z"},
		// What the MTA does with the edits sent (see TestApplyEdits), so the
		// archive keeps what was delivered.
		{name: "a later insert at the top goes above an earlier one", edits: []txn.HeaderEdit{{Op: txn.EditInsert, Name: "X", Index: 1, Value: " x"},
			{Op: txn.EditInsert, Name: "Y", Index: 0, Value: " y"}}, want: "Y: y\r\nX: x\r\nA: 1\r\nB: 2\r\na: 3"},
		{name: "insert before the i-th current header", edits: []txn.HeaderEdit{{Op: txn.EditDelete, Name: "A", Index: 1},
			{Op: txn.EditInsert, Name: "Y", Index: 2, Value: " y"}, {Op: txn.EditInsert, Name: "Z", Index: 9, Value: " z"}},
			want: "B: 2\r\nY: y\r\na: 3\r\nZ: z"},
		{name: "a change of a deleted header is not sent", edits: []txn.HeaderEdit{{Op: txn.EditDelete, Name: "B", Index: 1},
			{Op: txn.EditChange, Name: "B", Index: 1, Value: " back"}}, want: "A: 1\r\na: 3"},
		{name: "an edit not sent is not delivered", edits: []txn.HeaderEdit{{Op: txn.EditAdd, Name: "Bad Name", Value: " x"},
			{Op: txn.EditDelete, Name: "A", Index: 0}}, want: "A: 1\r\nB: 2\r\na: 3"},
		{name: "values delivered as sent", edits: []txn.HeaderEdit{{Op: txn.EditAdd, Name: "V", Value: " a\nBcc: x@example.com\x00\r\n"}},
			want: "A: 1\r\nB: 2\r\na: 3\r\nV: a\n\tBcc: x@example.com "},
	}
	for _, tc := range tests {
		got, err := applyEdits(&recorder{}, received, tc.edits, editOptions{leadSpace: true, deliver: true, warn: func(string, ...any) {}})
		if err != nil || render(got) != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, render(got), err, tc.want)
		}
	}
}

// When the milter connection fails, the edits stop going out but the
// delivered header block is the whole answer's, as before the failure.
func TestDeliveredAfterSendError(t *testing.T) {
	received := []txn.Header{{Name: "A", Value: " 1"}}
	edits := []txn.HeaderEdit{{Op: txn.EditAdd, Name: "X", Value: " x"}, {Op: txn.EditAdd, Name: "Y", Value: " y"}}
	r := &recorder{fail: errBroken}
	got, err := applyEdits(r, received, edits, editOptions{deliver: true, warn: func(string, ...any) {}})
	if err == nil || len(r.calls) != 1 || render(got) != "A: 1\r\nX: x\r\nY: y" {
		t.Errorf("calls %q, err %v, delivered %q", r.calls, err, render(got))
	}
}

var errBroken = errors.New("broken pipe")

// render joins "Name:value" lines with CRLF.
func render(h []txn.Header) string {
	if len(h) == 0 {
		return ""
	}
	b := mailmsg.AppendBlock(nil, h)
	return string(b[:len(b)-4])
}
