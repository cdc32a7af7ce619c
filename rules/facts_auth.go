package rules

import "milter91/internal/txn"

// Authentication facts (rows of factTable): SPF (RFC 7208 §2.6), DKIM
// (RFC 6376, results as in RFC 8601 §2.7.1), DMARC (RFC 7489 §6.3 for the
// policy) and the names of checks that hit a temporary error.

// enumFact matches when get(facts) is one of the listed values; an unset
// result ("", the check did not run) matches nothing. Detail: "spf=fail".
func enumFact(name string, get func(*txn.Facts) string, allowed ...string) FactCompiler {
	return func(v Value) (Matcher, error) {
		set, err := enumSet(v, name, allowed...)
		if err != nil {
			return nil, err
		}
		return func(in *Input) (Hit, bool) {
			got := get(in.Facts)
			if !set[got] {
				return Hit{}, false
			}
			return Hit{Detail: name + "=" + got}, true
		}, nil
	}
}

// compileDKIM: true when any DKIM-Signature has one of the results; "none"
// means the message has no signature at all. Detail: "dkim=fail d=example.com".
func compileDKIM(v Value) (Matcher, error) {
	set, err := enumSet(v, "dkim", "none", "pass", "fail", "neutral", "policy", "temperror", "permerror")
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		if len(in.Facts.DKIM) == 0 {
			if set[txn.ResultNone] {
				return Hit{Detail: "dkim=none"}, true
			}
			return Hit{}, false
		}
		for _, d := range in.Facts.DKIM {
			if set[d.Result] {
				return Hit{Detail: "dkim=" + d.Result + " d=" + d.Domain}, true
			}
		}
		return Hit{}, false
	}, nil
}

// compileTemperror: true when one of the named checks (or any, for "*")
// had a temporary error. Detail: "temperror=dnsbl".
func compileTemperror(v Value) (Matcher, error) {
	// The check names the engine puts in Facts.Temperrors.
	set, err := enumSet(v, "temperror", "*", "spf", "dkim", "dmarc", "dnsbl")
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		for _, name := range in.Facts.Temperrors {
			if set["*"] || set[name] {
				return Hit{Detail: "temperror=" + name}, true
			}
		}
		return Hit{}, false
	}, nil
}
