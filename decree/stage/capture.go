package stage

import (
	"slices"
	"strings"

	"milter91/decree"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// publishedMailboxes narrows the refusal mailboxes of an ad to what its
// advertiser published for refusal (Art. 20.2, 20.3): every
// List-Unsubscribe mailto: (RFC 2369: the sender's own refusal channel,
// whatever its domain, an ESP's included), and the addresses of the
// opt-out block only within the advertiser's organizational domain, so
// that a third party's address written near the block (a partner, an
// agency, a webmail contact) never becomes a refusal mailbox.
func publishedMailboxes(msg *mailmsg.View, an *txn.DecreeAnalysis) []string {
	if len(an.RefusalMailboxes) == 0 {
		return nil
	}
	header := decree.ListUnsubscribeMailboxes(msg)
	var out []string
	for _, box := range an.RefusalMailboxes {
		if slices.Contains(header, box) || orgOfAddress(box) == an.Advertiser {
			out = append(out, box)
		}
	}
	return out
}

// orgOfAddress is the organizational domain of addr's domain, "" when it
// has none.
func orgOfAddress(addr string) string {
	d, ok := addressDomain(addr)
	if !ok {
		return ""
	}
	org, _ := mailmsg.OrgDomain(d)
	return org.ASCII
}

// addressDomain is the domain of addr (after its last @), false when it
// has none or it is no domain name.
func addressDomain(addr string) (mailmsg.Domain, bool) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return mailmsg.Domain{}, false
	}
	d, err := mailmsg.ParseDomain(addr[at+1:])
	return d, err == nil
}
