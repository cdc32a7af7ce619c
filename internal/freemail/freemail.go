// Package freemail knows the shared mailbox providers: domains whose
// addresses belong to their many users (gmail.com, yahoo.com,
// outlook.com, …), so that the domain never stands for one sender. Under
// Decree 91/2020 such a domain is never an advertiser (Art. 2.4: the
// advertiser is whoever sends the ad, one user of the provider): an
// advertiser id gmail.com would let one user's ad, or a refusal of it,
// speak for every gmail.com sender.
package freemail

import "strings"

// builtin are the shared mailbox providers known without configuration,
// as organizational domains (lower-case A-labels): the large international
// webmail services and the Vietnamese public ones (vnn.vn: VNPT).
var builtin = []string{
	"gmail.com", "googlemail.com",
	"yahoo.com", "yahoo.com.vn", "ymail.com", "rocketmail.com",
	"outlook.com", "hotmail.com", "live.com", "msn.com",
	"icloud.com", "me.com", "mac.com",
	"aol.com", "proton.me", "protonmail.com",
	"gmx.com", "gmx.net", "gmx.de", "mail.com", "zoho.com",
	"yandex.com", "yandex.ru", "mail.ru",
	"qq.com", "163.com", "126.com",
	"vnn.vn",
}

// Builtin returns the built-in list, sorted as written above.
func Builtin() []string { return append([]string(nil), builtin...) }

// Set is a set of shared mailbox providers: the built-in ones and those
// configured (decree91.shared_mailbox_domains, e.g. the ISP's own user
// domain). The zero value holds the built-in list only.
type Set struct {
	extra map[string]bool
}

// New returns the built-in list plus extra (organizational domains; case
// and a trailing dot are ignored).
func New(extra []string) Set {
	s := Set{extra: map[string]bool{}}
	for _, d := range extra {
		if d = norm(d); d != "" {
			s.extra[d] = true
		}
	}
	return s
}

// Has reports whether the organizational domain org is a shared mailbox
// provider.
func (s Set) Has(org string) bool {
	org = norm(org)
	if org == "" {
		return false
	}
	return IsBuiltin(org) || s.extra[org]
}

// IsBuiltin reports whether org is in the built-in list.
func IsBuiltin(org string) bool {
	org = norm(org)
	for _, d := range builtin {
		if d == org {
			return true
		}
	}
	return false
}

func norm(d string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".") }
