package rules

import (
	"strconv"
	"strings"

	"milter91/internal/txn"
)

// Decree 91/2020 facts (rows of factTable; see txn.Decree). The registry
// facts (decree91.consent, decree91.refused, decree91.over_cap) are about
// Input.Recipient when the engine evaluates per recipient, else true when
// they hold for any recipient; they never match mail that is not
// advertising or when no registry is configured.

// decreeLabel is the label of an advertising email, "" for other mail.
func decreeLabel(f *txn.Facts) string {
	if !f.Decree.Advertising {
		return ""
	}
	return f.Decree.Label
}

// consentValue is decree91.consent's value for r.
func consentValue(r txn.DecreeRecipient) string {
	if r.Consent {
		return "present"
	}
	return "missing"
}

// boolFact matches when get(facts) equals the YAML boolean.
func boolFact(name string, get func(*txn.Facts) bool) FactCompiler {
	return func(v Value) (Matcher, error) {
		want, err := v.Bool()
		if err != nil {
			return nil, err
		}
		detail := name + "=" + strconv.FormatBool(want)
		return func(in *Input) (Hit, bool) {
			return Hit{Detail: detail}, get(in.Facts) == want
		}, nil
	}
}

// anyOfFact matches when get(facts) holds one of the listed values.
// Detail: "decree91.missing_channel=phone".
func anyOfFact(name string, get func(*txn.Facts) []string, allowed ...string) FactCompiler {
	return func(v Value) (Matcher, error) {
		set, err := enumSet(v, name, allowed...)
		if err != nil {
			return nil, err
		}
		return func(in *Input) (Hit, bool) {
			var hits []string
			for _, s := range get(in.Facts) {
				if set[s] {
					hits = append(hits, s)
				}
			}
			if len(hits) == 0 {
				return Hit{}, false
			}
			return Hit{Detail: name + "=" + strings.Join(hits, ",")}, true
		}, nil
	}
}

// compileDecreeSignal matches advertising signals by name, e.g.
// "list-unsubscribe" or "phrase:khuyến mãi"; a value ending in ":" matches
// every signal with that prefix ("phrase:").
func compileDecreeSignal(v Value) (Matcher, error) {
	var want []string
	err := eachText(v, func(at Value, s string) error {
		if s == "" {
			return at.Errorf("decree91.signal: empty signal name")
		}
		want = append(want, strings.ToLower(s))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		for _, got := range in.Facts.Decree.Signals {
			for _, w := range want {
				if got == w || (strings.HasSuffix(w, ":") && strings.HasPrefix(got, w)) {
					return Hit{Detail: "decree91.signal=" + got}, true
				}
			}
		}
		return Hit{}, false
	}, nil
}

// recipients returns the recipient facts a registry fact looks at.
func recipients(in *Input) []txn.DecreeRecipient {
	if !in.Facts.Decree.Advertising {
		return nil
	}
	if in.Recipient != nil {
		return []txn.DecreeRecipient{*in.Recipient}
	}
	return in.Facts.Decree.Recipients
}

func enumRcptFact(name string, allowed []string, get func(txn.DecreeRecipient) string) FactCompiler {
	return func(v Value) (Matcher, error) {
		set, err := enumSet(v, name, allowed...)
		if err != nil {
			return nil, err
		}
		return func(in *Input) (Hit, bool) {
			for _, r := range recipients(in) {
				if got := get(r); set[got] {
					return Hit{Detail: name + "=" + got + " rcpt=" + r.Rcpt}, true
				}
			}
			return Hit{}, false
		}, nil
	}
}

func boolRcptFact(name string, get func(txn.DecreeRecipient) bool) FactCompiler {
	return func(v Value) (Matcher, error) {
		want, err := v.Bool()
		if err != nil {
			return nil, err
		}
		return func(in *Input) (Hit, bool) {
			for _, r := range recipients(in) {
				if get(r) == want {
					detail := name + "=" + strconv.FormatBool(want) + " rcpt=" + r.Rcpt
					if name == "decree91.over_cap" {
						detail += " sent_24h=" + strconv.Itoa(r.Sent24h) + " cap=" + strconv.Itoa(r.Cap)
					}
					return Hit{Detail: detail}, true
				}
			}
			return Hit{}, false
		}, nil
	}
}

// decreeValue fills the Decree 91 reply placeholders.
func decreeValue(in *Input, name string) string {
	d := &in.Facts.Decree
	switch name {
	case "missing_channels":
		return strings.Join(d.MissingChannels, ", ")
	case "missing_info":
		return strings.Join(d.MissingInfo, ", ")
	case "advertiser":
		return d.Advertiser
	case "rcpt":
		if in.Recipient != nil {
			return in.Recipient.Rcpt
		}
		if len(d.Recipients) > 0 {
			return d.Recipients[0].Rcpt
		}
	}
	return ""
}
