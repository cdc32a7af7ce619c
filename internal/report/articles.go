package report

import "strings"

// articleTerms names the Decree 91/2020 articles (and the IT Law article the
// identity rules cite) in the decree's terms, as the README's Decree 91/2020 section
// lists them. A key with a clause not listed falls back to its article.
var articleTerms = map[string]string{
	"Art. 3":         "definitions",
	"Art. 3.1":       "advertising email",
	"Art. 3.4":       "spam email",
	"Art. 3.4.b":     "prohibited content",
	"Art. 8":         "blacklist",
	"Art. 9.12":      "blacklist",
	"Art. 10":        "provider duties",
	"Art. 10.2":      "spam reports",
	"Art. 10.3":      "spam filtering",
	"Art. 10.4":      "outbound spam",
	"Art. 11":        "consent",
	"Art. 11.2":      "consent",
	"Art. 12":        "refusal",
	"Art. 13":        "sending rules",
	"Art. 13.4":      "refusal",
	"Art. 13.5":      "frequency",
	"Art. 17.4":      "charges",
	"Art. 18":        "label",
	"Art. 19":        "advertiser information",
	"Art. 20":        "refusal",
	"Art. 20.1":      "opt-out",
	"Art. 20.2":      "opt-out channels",
	"Art. 20.3":      "refusal",
	"IT Law Art. 70": "sender identity",
}

// articleName returns the article key followed by its term ("Art. 13.5" →
// "Art. 13.5 frequency"; "Art. 20.9" → "Art. 20.9 refusal", from Art. 20),
// or the key alone for an article it does not know.
func articleName(key string) string {
	k := strings.TrimSpace(key)
	for {
		if term, ok := articleTerms[k]; ok {
			return key + " " + term
		}
		i := strings.LastIndexByte(k, '.')
		// "Art. 18" has its only dot right after "Art": stop there.
		if i < 0 || !strings.Contains(k[:i], ".") {
			return key
		}
		k = k[:i]
	}
}
