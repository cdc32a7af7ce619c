package decree

import (
	"net/url"
	"strings"

	"mvdan.cc/xurls/v2"

	"milter91/txn"
)

// Link is a host named in a message's text: a URL's host (a domain or an
// IP literal) or an email address's domain.
type Link struct {
	Email bool   // from an email address (mailto: or bare), else a URL
	Host  string // lower case, as written (no IDNA conversion)
	// Address is the whole email address, lower case, for Email links.
	Address string
}

// relaxedURL finds URLs with or without a scheme and bare email addresses
// (xurls' relaxed form: "www.example.com/x" and "user@example.com" count).
var relaxedURL = xurls.Relaxed()

// Links returns the hosts of the URLs and email addresses in every text
// part of t (text/plain as written, text/html rendered with its link
// targets, so hrefs count), in order of first appearance and without
// duplicates, at most max of them (max ≤ 0: no limit). Only the last
// maxBytes decoded bytes of each part are read (≤ 0: DefaultMaxTextBytes).
// It is the body input of URIBL lookups (the blocklists' SourceURL and
// SourceEmail); like Analyze it never fails: malformed MIME gives what was
// decoded, and a panic in a MIME or charset library gives no links.
func Links(t *txn.Transaction, maxBytes, max int) (links []Link) {
	if t == nil {
		return nil
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxTextBytes
	}
	defer func() {
		if recover() != nil {
			links = nil
		}
	}()
	seen := map[Link]bool{}
	for _, p := range textParts(t, maxBytes, true) {
		for _, m := range relaxedURL.FindAllString(p.text, -1) {
			l, ok := parseLink(m)
			if !ok || seen[l] {
				continue
			}
			seen[l] = true
			links = append(links, l)
			if max > 0 && len(links) == max {
				return links
			}
		}
	}
	return links
}

// parseLink turns one match of relaxedURL into a Link.
func parseLink(m string) (Link, bool) {
	lower := strings.ToLower(m)
	if addr, ok := strings.CutPrefix(lower, "mailto:"); ok || (!strings.Contains(lower, "://") && strings.Contains(lower, "@")) {
		if !ok {
			addr = lower
		}
		addr, _, _ = strings.Cut(addr, "?")
		_, domain, found := strings.Cut(addr, "@")
		return Link{Email: true, Host: domain, Address: addr}, found && domain != ""
	}
	if !strings.Contains(lower, "://") {
		lower = "http://" + lower
	}
	u, err := url.Parse(lower)
	if err != nil || u.Hostname() == "" {
		return Link{}, false
	}
	return Link{Host: u.Hostname()}, true
}
