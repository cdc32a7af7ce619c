package stage

import (
	"strings"

	"milter91/internal/txn"
)

// HeaderName is the field that marks an advertising email. The engine
// deletes every incoming one: an upstream copy could pass as ours.
const HeaderName = "X-Decree91"

// Header marks an advertising email (Decree 91/2020 Art. 3.1) with what
// the analysis found, e.g.
// "X-Decree91: ad; direction=inbound; label=ok; optout=yes;
// channels=web,email,phone; missing=none; advertiser=example.com". ok is
// false for mail that is not advertising: it gets no header.
func Header(d *txn.Decree) (edit txn.HeaderEdit, ok bool) {
	if !d.Advertising {
		return txn.HeaderEdit{}, false
	}
	optout := "no"
	if d.OptOut {
		optout = "yes"
	}
	parts := []string{"ad", "direction=" + d.Direction, "label=" + d.Label, "optout=" + optout,
		"channels=" + listOrNone(d.Channels), "missing=" + listOrNone(d.MissingChannels)}
	if d.Advertiser != "" {
		parts = append(parts, "advertiser="+d.Advertiser)
	}
	return txn.HeaderEdit{Op: txn.EditAdd, Name: HeaderName, Value: " " + strings.Join(parts, "; ")}, true
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ",")
}
