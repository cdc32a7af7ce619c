package rules

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// eachText calls fn for every string of v (a string or a list of strings)
// and returns all the problems found, each at its own item.
func eachText(v Value, fn func(at Value, s string) error) error {
	items, err := v.Items()
	if err != nil {
		return err
	}
	var errs ErrorList
	for _, it := range items {
		s, err := it.Text()
		if err == nil {
			err = fn(it, s)
		}
		errs = append(errs, positioned(it, err)...)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// enumSet reads a string or a list of strings, each one of allowed, into a
// set. Values are case-sensitive, as in Authentication-Results.
func enumSet(v Value, fact string, allowed ...string) (map[string]bool, error) {
	set := map[string]bool{}
	err := eachText(v, func(at Value, s string) error {
		for _, a := range allowed {
			if s == a {
				set[s] = true
				return nil
			}
		}
		return at.Errorf("unknown %s value %q (want one of %s)", fact, s, strings.Join(allowed, ", "))
	})
	return set, err
}

// compileRegexes compiles a string or list of RE2 patterns, each one
// case-insensitive unless it starts with (?-i).
func compileRegexes(v Value) ([]*regexp.Regexp, error) {
	var res []*regexp.Regexp
	err := eachText(v, func(at Value, s string) error {
		re, err := compileRegex(s)
		if err != nil {
			return at.Errorf("%v", err)
		}
		res = append(res, re)
		return nil
	})
	return res, err
}

// compileRegex compiles one pattern with the (?i) default.
func compileRegex(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, fmt.Errorf("empty regular expression (it would match everything)")
	}
	re, err := regexp.Compile("(?i)" + s)
	var se *syntax.Error
	if errors.As(err, &se) {
		return nil, fmt.Errorf("bad regular expression %q: %s", s, se.Code)
	}
	if err != nil {
		return nil, fmt.Errorf("bad regular expression %q: %v", s, err)
	}
	return re, nil
}

// shorten cuts s to at most n bytes at a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
