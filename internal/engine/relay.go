package engine

import (
	"net/netip"
	"strings"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// maxRelayHops bounds the Received fields read for the first untrusted
// hop: a longer chain of trusted hosts is a loop or a forgery.
const maxRelayHops = 20

// Trusted are the networks of the relays whose Received fields are
// believed (trusted_networks: a backup MX, a filtering tier), as
// SpamAssassin's trusted_networks and rspamd's external_relay.
type Trusted []netip.Prefix

func (n Trusted) contains(ip netip.Addr) bool {
	for _, p := range n {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// externalClient returns the first untrusted hop of t when its client is
// a trusted relay: the Received fields are read from the top (the latest)
// while the host that added them is trusted, and the first address one
// names outside the trusted networks is the client the checks judge, with
// the HELO name that field gives. A field naming the host already known
// is passed over (this MTA's own, when the MTA shows it); a field without
// a From-domain address ends the chain (mail that began on a trusted
// host). ok is false when t's client is not trusted or no untrusted hop
// was found within maxRelayHops fields; t is then judged as it came.
func (n Trusted) externalClient(t *txn.Transaction) (hop mailmsg.ReceivedHop, ok bool) {
	cur := t.Conn.ClientIP
	if len(n) == 0 || !cur.IsValid() || !n.contains(cur) {
		return mailmsg.ReceivedHop{}, false
	}
	seen := 0
	for _, h := range t.Headers {
		if !strings.EqualFold(h.Name, "Received") {
			continue
		}
		if seen++; seen > maxRelayHops {
			break
		}
		hop, found := mailmsg.ReceivedFrom(h.Value)
		switch {
		case !found:
			return mailmsg.ReceivedHop{}, false
		case hop.IP == cur:
			continue
		case !n.contains(hop.IP):
			return hop, true
		}
		cur = hop.IP
	}
	return mailmsg.ReceivedHop{}, false
}

// judgedAs is t as the checks and rules judge it: behind a trusted relay
// (Options.Trusted) a copy whose client address and HELO name are the
// first untrusted hop's, with Facts.Relay the relay's address; t itself
// otherwise.
func (e *Engine) judgedAs(t *txn.Transaction, f *txn.Facts) *txn.Transaction {
	hop, ok := e.opt.Trusted.externalClient(t)
	if !ok {
		return t
	}
	f.Relay, f.ExternalIP = t.Conn.ClientIP.String(), hop.IP.String()
	c := *t
	c.Conn.ClientIP, c.Conn.ClientPort, c.Conn.ClientName = hop.IP, 0, "unknown"
	if hop.HELO != "" {
		c.Conn.HELO = hop.HELO
	}
	return &c
}
