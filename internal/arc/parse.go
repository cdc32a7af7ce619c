package arc

import (
	"fmt"
	"strconv"
	"strings"

	"milter91/internal/mailmsg"
)

// MaxInstances is the highest i= allowed (RFC 8617 §4.2.1: "ARC Sets
// with instance values > 50 MUST be treated as invalid").
const MaxInstances = 50

// Field names (RFC 8617 §4.1).
const (
	nameAAR  = "arc-authentication-results"
	nameAMS  = "arc-message-signature"
	nameSeal = "arc-seal"
)

// Set is one ARC Set: the three fields of one instance, as received.
type Set struct {
	Instance int
	AAR      *mailmsg.Field
	AMS      *mailmsg.Field
	Seal     *mailmsg.Field
	ams      tags
	seal     tags
}

// tags is a tag-value list (RFC 6376 §3.2): names case-sensitive, values
// with whitespace removed for the b= and bh= tags, trimmed otherwise.
type tags map[string]string

// parseTags parses a tag-list (RFC 6376 §3.2: tag-spec *(";" tag-spec)
// [";"]); errors for a malformed, empty or repeated tag.
func parseTags(v string) (tags, error) {
	out := tags{}
	parts := strings.Split(mailmsg.Unfold(v), ";")
	for i, part := range parts {
		if strings.TrimSpace(part) == "" {
			if i < len(parts)-1 {
				return nil, fmt.Errorf("empty tag (\";;\")")
			}
			continue // a final ";" is allowed
		}
		name, value, ok := strings.Cut(part, "=")
		name = strings.Trim(name, " \t")
		if !ok || !validTagName(name) {
			return nil, fmt.Errorf("malformed tag %q", strings.TrimSpace(part))
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("tag %s repeated", name)
		}
		value = strings.Trim(value, " \t")
		if name == "b" || name == "bh" {
			value = strings.Join(strings.Fields(value), "")
		}
		out[name] = value
	}
	return out, nil
}

// validTagName: ALPHA *ALNUMPUNC (RFC 6376 §3.2).
func validTagName(n string) bool {
	if n == "" || !isAlpha(n[0]) {
		return false
	}
	for i := 1; i < len(n); i++ {
		if c := n[i]; !isAlpha(c) && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// instance parses an i= value: 1..MaxInstances, digits only.
func instance(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxInstances || v != strconv.Itoa(n) {
		return 0, fmt.Errorf("invalid instance i=%q", v)
	}
	return n, nil
}

// aarInstance returns the i= of an ARC-Authentication-Results value,
// which must start with "i=N;" (RFC 8617 §4.1.1).
func aarInstance(v string) (int, error) {
	s := strings.TrimLeft(mailmsg.Unfold(v), " \t")
	rest, ok := strings.CutPrefix(s, "i")
	if !ok {
		return 0, fmt.Errorf("ARC-Authentication-Results does not start with i=")
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), "=")
	num, _, semi := strings.Cut(rest, ";")
	if !ok || !semi {
		return 0, fmt.Errorf("ARC-Authentication-Results has no \"i=N;\"")
	}
	return instance(strings.Trim(num, " \t"))
}

// Sets collects the ARC Sets of fields (RFC 8617 §4.2), ordered by
// instance. The error says why the structure is invalid: a field whose
// i= cannot be read, an instance with a field missing or repeated, a gap
// in the instances, or more than MaxInstances. No ARC field gives no
// sets and no error. Time is linear in the number and size of fields.
func Sets(fields []mailmsg.Field) ([]*Set, error) {
	byInst := map[int]*Set{}
	max := 0
	for i := range fields {
		f := &fields[i]
		name := strings.ToLower(f.Name)
		if name != nameAAR && name != nameAMS && name != nameSeal {
			continue
		}
		n, t, err := fieldInstance(name, f.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		s := byInst[n]
		if s == nil {
			s = &Set{Instance: n}
			byInst[n] = s
		}
		slot := map[string]**mailmsg.Field{nameAAR: &s.AAR, nameAMS: &s.AMS, nameSeal: &s.Seal}[name]
		if *slot != nil {
			return nil, fmt.Errorf("two %s fields with i=%d", f.Name, n)
		}
		*slot = f
		if name == nameAMS {
			s.ams = t
		} else if name == nameSeal {
			s.seal = t
		}
		max = maxInt(max, n)
	}
	out := make([]*Set, 0, max)
	for i := 1; i <= max; i++ {
		s := byInst[i]
		if s == nil || s.AAR == nil || s.AMS == nil || s.Seal == nil {
			return nil, fmt.Errorf("ARC set i=%d is incomplete", i)
		}
		out = append(out, s)
	}
	return out, nil
}

func fieldInstance(name, value string) (int, tags, error) {
	if name == nameAAR {
		n, err := aarInstance(value)
		return n, nil, err
	}
	t, err := parseTags(value)
	if err != nil {
		return 0, nil, err
	}
	n, err := instance(t["i"])
	return n, t, err
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
