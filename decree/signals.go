package decree

import (
	"net/url"
	"strings"

	"milter91/internal/mailmsg"
)

// Signal names (txn.DecreeAnalysis.Signals).
const (
	SignalLabel               = "label"
	SignalListUnsubscribe     = "list-unsubscribe"      // RFC 2369 §3.2
	SignalListUnsubscribePost = "list-unsubscribe-post" // RFC 8058 §3.1
	SignalListID              = "list-id"               // RFC 2919
	SignalPrecedenceBulk      = "precedence:bulk"       // de facto field, named in RFC 3834 §2
	SignalPrecedenceList      = "precedence:list"       // de facto field, named in RFC 3834 §2
	SignalOptOutBlock         = "optout-block"          // Decree 91/2020 Art. 20.1
	SignalHeaderPrefix        = "header:"               // + lower-case configured header name
	SignalPhrasePrefix        = "phrase:"               // + the marketing phrase as configured
)

// headerSignals returns the bulk-mail signals of the header block, in the
// order list-unsubscribe, list-unsubscribe-post, list-id, precedence:*,
// header:* (in adHeaders order). A field counts when present with a
// non-blank value.
func headerSignals(v *mailmsg.View, adHeaders []string) []string {
	var sigs []string
	for _, s := range []struct{ field, signal string }{
		{field: "List-Unsubscribe", signal: SignalListUnsubscribe},
		{field: "List-Unsubscribe-Post", signal: SignalListUnsubscribePost},
		{field: "List-Id", signal: SignalListID},
	} {
		if v.Present(s.field) {
			sigs = append(sigs, s.signal)
		}
	}
	if p, ok := v.First("Precedence"); ok {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "bulk":
			sigs = append(sigs, SignalPrecedenceBulk)
		case "list":
			sigs = append(sigs, SignalPrecedenceList)
		}
	}
	for _, name := range adHeaders {
		if v.Present(name) {
			sigs = append(sigs, SignalHeaderPrefix+strings.ToLower(name))
		}
	}
	return sigs
}

// listUnsubscribeMailboxes returns the mailto: targets of every
// List-Unsubscribe field (RFC 2369 §2: a list of <URL>, comma separated;
// RFC 6068 mailto: with the ?subject=… query stripped and %-escapes
// decoded), lower-cased, in order, without duplicates.
func listUnsubscribeMailboxes(v *mailmsg.View) []string {
	var out []string
	for _, rest := range v.Values("List-Unsubscribe") {
		for {
			open := strings.IndexByte(rest, '<')
			if open < 0 {
				break
			}
			end := strings.IndexByte(rest[open:], '>')
			if end < 0 {
				break
			}
			target := strings.TrimSpace(rest[open+1 : open+end])
			rest = rest[open+end+1:]
			if addr := mailtoAddress(target); addr != "" {
				out = appendUnique(out, addr)
			}
		}
	}
	return out
}

// mailtoAddress returns the lower-cased address of a mailto: URL (first
// address only), or "" when u is not a mailto: URL with an address.
func mailtoAddress(u string) string {
	if len(u) < 7 || !strings.EqualFold(u[:7], "mailto:") {
		return ""
	}
	addr, _, _ := strings.Cut(u[7:], "?")
	addr, _, _ = strings.Cut(addr, ",")
	if dec, err := url.PathUnescape(addr); err == nil {
		addr = dec
	}
	addr = strings.ToLower(strings.TrimSpace(addr))
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " \t<>\"") {
		return ""
	}
	return addr
}

// appendUnique appends s to list unless it is already there.
func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
