package milter

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"milter91/internal/txn"
)

// recorder is a headerModifier that records calls as strings.
type recorder struct {
	calls []string
	fail  error
}

func (r *recorder) AddHeader(name, value string) error {
	r.calls = append(r.calls, fmt.Sprintf("add %s %q", name, value))
	return r.fail
}

func (r *recorder) ChangeHeader(index int, name, value string) error {
	r.calls = append(r.calls, fmt.Sprintf("change %d %s %q", index, name, value))
	return r.fail
}

func (r *recorder) InsertHeader(index int, name, value string) error {
	r.calls = append(r.calls, fmt.Sprintf("insert %d %s %q", index, name, value))
	return r.fail
}

func TestApplyEdits(t *testing.T) {
	del := func(name string, i int) txn.HeaderEdit {
		return txn.HeaderEdit{Op: txn.EditDelete, Name: name, Index: i}
	}
	tests := []struct {
		name      string
		leadSpace bool
		edits     []txn.HeaderEdit
		want      []string
		warnings  int
	}{
		{"deletes use as-received indices", true,
			[]txn.HeaderEdit{del("X-Spam", 2), del("x-spam", 1), del("X-Spam", 4), del("Other", 1)},
			[]string{`change 2 X-Spam ""`, `change 1 x-spam ""`, `change 2 X-Spam ""`, `change 1 Other ""`}, 0},
		{"deletes from the last up keep their indices", true,
			[]txn.HeaderEdit{del("A", 3), del("A", 2), del("A", 1)},
			[]string{`change 3 A ""`, `change 2 A ""`, `change 1 A ""`}, 0},
		{"deletes from the first down renumbered", true,
			[]txn.HeaderEdit{del("A", 1), del("A", 2), del("A", 3), del("A", 2)},
			[]string{`change 1 A ""`, `change 1 A ""`, `change 1 A ""`}, 1},
		{"change after delete renumbered", true,
			[]txn.HeaderEdit{del("A", 1), {Op: txn.EditChange, Name: "A", Index: 3, Value: " v"}},
			[]string{`change 1 A ""`, `change 2 A " v"`}, 0},
		{"second edit of a deleted header skipped", true,
			[]txn.HeaderEdit{del("A", 1), del("A", 1), {Op: txn.EditChange, Name: "A", Index: 1, Value: " v"}},
			[]string{`change 1 A ""`}, 2},
		{"change to empty value is a delete", true,
			[]txn.HeaderEdit{{Op: txn.EditChange, Name: "A", Index: 1}, del("A", 2)},
			[]string{`change 1 A ""`, `change 1 A ""`}, 0},
		{"insert index as given, below 1 means top", true,
			[]txn.HeaderEdit{{Op: txn.EditInsert, Name: "A", Index: 1, Value: " a"}, {Op: txn.EditInsert, Name: "B", Index: 0, Value: " b"},
				{Op: txn.EditInsert, Name: "C", Index: 5, Value: " c"}},
			[]string{`insert 1 A " a"`, `insert 1 B " b"`, `insert 5 C " c"`}, 0},
		{"values kept with LEADSPC", true,
			[]txn.HeaderEdit{{Op: txn.EditAdd, Name: "A", Value: " x"}, {Op: txn.EditAdd, Name: "B", Value: "y"}},
			[]string{`add A " x"`, `add B "y"`}, 0},
		{"one leading space dropped without LEADSPC", false,
			[]txn.HeaderEdit{{Op: txn.EditAdd, Name: "A", Value: " x"}, {Op: txn.EditAdd, Name: "B", Value: "  y"}, {Op: txn.EditAdd, Name: "C", Value: "\tz"}},
			[]string{`add A "x"`, `add B " y"`, `add C "\tz"`}, 0},
		{"unsafe bytes in values made safe", true,
			[]txn.HeaderEdit{{Op: txn.EditAdd, Name: "A", Value: " a\r\nBcc: evil@example.com"}, {Op: txn.EditAdd, Name: "B", Value: " b\nc\x00d\r\n"},
				{Op: txn.EditAdd, Name: "C", Value: " fold\r\n\tok"}},
			[]string{`add A " a\r\n\tBcc: evil@example.com"`, `add B " b\n\tc d"`, `add C " fold\r\n\tok"`}, 0},
		{"invalid edits skipped", true,
			[]txn.HeaderEdit{{Op: txn.EditAdd, Name: "Bad Name", Value: " x"}, {Op: txn.EditAdd, Name: "", Value: " x"},
				{Op: txn.EditAdd, Name: "Colon:", Value: " x"}, {Op: "rename", Name: "A"}, del("A", 0), del("A", -1),
				{Op: txn.EditAdd, Name: "Big", Value: string(make([]byte, 70000))}, {Op: txn.EditAdd, Name: "Ok", Value: " y"}},
			[]string{`add Ok " y"`}, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			warnings := 0
			_, err := applyEdits(r, nil, tc.edits, editOptions{leadSpace: tc.leadSpace, warn: func(string, ...any) { warnings++ }})
			if err != nil || !slices.Equal(r.calls, tc.want) {
				t.Errorf("calls %q, err %v; want %q", r.calls, err, tc.want)
			}
			if warnings != tc.warnings {
				t.Errorf("%d warnings, want %d", warnings, tc.warnings)
			}
		})
	}
}

func TestApplyEditsConnectionError(t *testing.T) {
	broken := errors.New("broken pipe")
	r := &recorder{fail: broken}
	edits := []txn.HeaderEdit{{Op: txn.EditAdd, Name: "A", Value: " a"}, {Op: txn.EditAdd, Name: "B", Value: " b"}}
	_, err := applyEdits(r, nil, edits, editOptions{leadSpace: true, warn: func(string, ...any) {}})
	if !errors.Is(err, broken) || len(r.calls) != 1 {
		t.Errorf("err %v after %d calls, want the connection error after the first", err, len(r.calls))
	}
}
