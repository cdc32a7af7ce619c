package rules

import (
	"regexp"
	"strings"
)

// Text facts (rows of factTable: helo, client_name, mail_from, rcpt,
// subject, auth_user, from, header): Go RE2 regular expressions,
// unanchored, case-insensitive by default (a pattern may start with (?-i)
// to turn that off). A list means any of the patterns.

// regexFact matches when a pattern matches one of values(in). Single-valued
// fields are matched even when empty, so `mail_from: "^$"` finds the null
// sender; list fields (rcpt, from) match nothing when empty.
// Detail: "helo ~ /pattern/" (the pattern, not the message's value).
func regexFact(name string, values func(in *Input) []string) FactCompiler {
	return func(v Value) (Matcher, error) {
		res, err := compileRegexes(v)
		if err != nil {
			return nil, err
		}
		return func(in *Input) (Hit, bool) {
			if re := firstMatch(res, values(in)); re != nil {
				return Hit{Detail: name + " ~ /" + shorten(trimFlag(re), 60) + "/"}, true
			}
			return Hit{}, false
		}, nil
	}
}

// firstMatch returns the first pattern that matches one of the values.
func firstMatch(res []*regexp.Regexp, values []string) *regexp.Regexp {
	for _, re := range res {
		for _, s := range values {
			if re.MatchString(s) {
				return re
			}
		}
	}
	return nil
}

// trimFlag returns the pattern as the admin wrote it.
func trimFlag(re *regexp.Regexp) string { return strings.TrimPrefix(re.String(), "(?i)") }

var headerName = regexp.MustCompile(`^[!-9;-~]+$`) // RFC 5322 §2.2 field-name

// compileHeader reads one or a list of {name: N, match: RE} or
// {name: N, exists: BOOL}: true when a header named N (case-insensitive)
// has a value, leading blanks trimmed, that RE matches; or when such a
// header exists (exists: true) or does not (exists: false).
func compileHeader(v Value) (Matcher, error) {
	items, err := v.Items()
	if err != nil {
		return nil, err
	}
	var errs ErrorList
	ms := make([]Matcher, 0, len(items))
	for _, it := range items {
		m, err := compileHeaderOne(it)
		errs = append(errs, positioned(it, err)...)
		ms = append(ms, m)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return anyOf(ms), nil
}

// compileHeaderOne compiles one {name, match|exists} mapping.
func compileHeaderOne(v Value) (Matcher, error) {
	fields, err := v.Fields()
	errs := positioned(v, err)
	var name string
	var re *regexp.Regexp
	var exists, hasExists bool
	for _, f := range fields {
		var err error
		switch f.Key {
		case "name":
			if name, err = f.Value.Text(); err == nil && !headerName.MatchString(name) {
				err = f.Value.Errorf("header: %q is not a header field name", name)
			}
		case "match":
			var s string
			if s, err = f.Value.Text(); err == nil {
				if re, err = compileRegex(s); err != nil {
					err = f.Value.Errorf("%v", err)
				}
			}
		case "exists":
			exists, err = f.Value.Bool()
			hasExists = err == nil
		default:
			err = f.KeyAt.Errorf("unknown header key %q (want name, match, exists)", f.Key)
		}
		errs = append(errs, positioned(f.Value, err)...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if name == "" || (re == nil) == !hasExists {
		return nil, v.Errorf("header: want {name: Field-Name, match: regex} or {name: Field-Name, exists: true|false}")
	}
	if re != nil {
		return headerMatch(name, re), nil
	}
	return headerExists(name, exists), nil
}

func headerMatch(name string, re *regexp.Regexp) Matcher {
	detail := "header " + name + " ~ /" + shorten(trimFlag(re), 60) + "/"
	return func(in *Input) (Hit, bool) {
		for _, val := range in.Txn.HeaderValues(name) {
			if re.MatchString(strings.TrimLeft(val, " \t")) {
				return Hit{Detail: detail}, true
			}
		}
		return Hit{}, false
	}
}

func headerExists(name string, exists bool) Matcher {
	detail := "header " + name + " absent"
	if exists {
		detail = "header " + name + " present"
	}
	return func(in *Input) (Hit, bool) {
		if (len(in.Txn.HeaderValues(name)) > 0) != exists {
			return Hit{}, false
		}
		return Hit{Detail: detail}, true
	}
}
