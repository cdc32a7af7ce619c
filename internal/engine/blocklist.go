package engine

import (
	"context"
	"strings"
	"sync"

	"milter91/decree"
	"milter91/dnsbl"
	"milter91/internal/bayes"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// linksPerBodyDomain bounds the body links read per allowed body domain:
// several links usually share one organizational domain, and the
// blocklist planner keeps the first MaxBodyDomains distinct ones.
const linksPerBodyDomain = 10

// checkLists asks the local lists and the blocklist zones about what the
// message offers them (blocklistSubject): Facts.Lists, Facts.DNSBL and
// Facts.DNSBLSkipped.
func (e *Engine) checkLists(ctx context.Context, m *message) error {
	s := e.blocklistSubject(m.t, m.msg, m.body)
	if e.opt.Lists != nil {
		m.f.Lists = e.opt.Lists.Check(s)
	}
	if e.opt.DNSBL != nil {
		m.f.DNSBL, m.f.DNSBLSkipped = e.opt.DNSBL.CheckMessage(ctx, e.opt.Resolver, s, e.opt.DNSBLLimits)
	}
	return nil
}

// blocklistSubject collects what t offers the blocklists: the client
// address, the HELO name, the envelope sender's domain, the From and
// Reply-To domains, the d= of each DKIM-Signature (unverified: a forged d=
// can only get its sender listed), and the hosts of the links in the
// text parts. msg is t's header view.
func (e *Engine) blocklistSubject(t *txn.Transaction, msg *mailmsg.View, body func() *decree.Body) dnsbl.Subject {
	s := dnsbl.Subject{ClientIP: t.Conn.ClientIP}
	add := func(source, name, addr string) {
		if name != "" {
			s.Targets = append(s.Targets, dnsbl.Target{Source: source, Name: name, Address: addr})
		}
	}
	add(dnsbl.SourceHELO, t.Conn.HELO, "")
	sender := strings.Trim(t.MailFrom, "<>")
	add(dnsbl.SourceMailFrom, domainOf(sender), sender)
	for _, a := range msg.From.Addresses {
		add(dnsbl.SourceFrom, a.Domain(), a.Addr)
	}
	for _, a := range msg.Addresses("Reply-To") {
		add(dnsbl.SourceReplyTo, a.Domain(), a.Addr)
	}
	for _, v := range msg.Values("DKIM-Signature") {
		add(dnsbl.SourceDKIM, dkimDomain(v), "")
	}
	if !e.asks(dnsbl.SourceURL) && !e.asks(dnsbl.SourceEmail) {
		return s
	}
	maxBody := e.opt.DNSBLLimits.MaxBodyDomains
	if maxBody <= 0 {
		maxBody = dnsbl.DefaultMaxBodyDomains
	}
	for _, l := range body().Links(linksPerBodyDomain * maxBody) {
		source := dnsbl.SourceURL
		if l.Email {
			source = dnsbl.SourceEmail
		}
		add(source, l.Host, l.Address)
	}
	return s
}

// bodyReader returns a function that decodes t's text parts once, on its
// first call, for the link extraction, the Decree 91 analysis and the
// classifier: the tails the analysis reads and, when a zone or list asks
// about links, the first decree.DefaultMaxLinkBytes of each part (the
// first bayes.MaxTextBytes at least when the classifier or the content
// signals are on).
func (e *Engine) bodyReader(ctx context.Context, t *txn.Transaction, msg *mailmsg.View) func() *decree.Body {
	head := 0
	if e.asks(dnsbl.SourceURL) || e.asks(dnsbl.SourceEmail) {
		head = decree.DefaultMaxLinkBytes
	}
	if e.opt.Bayes != nil || e.opt.ContentFacts {
		head = max(head, bayes.MaxTextBytes)
	}
	return sync.OnceValue(func() *decree.Body {
		if st := e.opt.Decree; st != nil {
			return st.ReadBody(ctx, msg, t.BodyReader(), head)
		}
		return decree.ReadBody(ctx, msg, t.BodyReader(), 0, head)
	})
}

// asks reports whether a blocklist zone or a local list wants targets
// from source.
func (e *Engine) asks(source string) bool {
	return (e.opt.DNSBL != nil && e.opt.DNSBL.Asks(source)) || (e.opt.Lists != nil && e.opt.Lists.Asks(source))
}

// domainOf returns the part of addr after its last "@", "" without one.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

// dkimDomain returns the d= tag of an unfolded DKIM-Signature field value
// (RFC 6376 §3.5, tag=value list, §3.2), "" when there is none.
func dkimDomain(v string) string {
	for tag := range strings.SplitSeq(v, ";") {
		name, value, ok := strings.Cut(tag, "=")
		if ok && strings.TrimSpace(name) == "d" {
			return strings.Join(strings.Fields(value), "")
		}
	}
	return ""
}
