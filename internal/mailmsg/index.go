package mailmsg

import "strings"

// Index holds, by lower-case name, the positions of each name's fields in
// a header, in header order. Built once by IndexFields, it finds the n-th
// field of a name without scanning the header again: edits by per-name
// index over thousands of fields stay linear.
type Index map[string][]int

// IndexFields indexes fields in one pass, O(len(fields)).
func IndexFields(fields []Field) Index {
	x := Index{}
	lower := map[string]string{} // names repeat: lower-case each once
	for i, f := range fields {
		key, ok := lower[f.Name]
		if !ok {
			key = strings.ToLower(f.Name)
			lower[f.Name] = key
		}
		x[key] = append(x[key], i)
	}
	return x
}

// Nth returns the position of the n-th field named name (any case,
// counted from 1 in header order), or -1 when there is no such field.
func (x Index) Nth(name string, n int) int {
	pos := x[strings.ToLower(name)]
	if n < 1 || n > len(pos) {
		return -1
	}
	return pos[n-1]
}
