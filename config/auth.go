package config

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"milter91/internal/dkimsign"
	"milter91/internal/mailmsg"
)

// maxSignExpire bounds dkim.sign_expire: a signature that outlives a year
// protects against replay no better than none.
const maxSignExpire = 366 * 24 * time.Hour

// dkim validates the dkim: section: the verification cap, the signing
// keys (without reading them: dkimsign.Load does when the engine is
// built, so that a reload that cannot read one keeps the running keys),
// who may sign, and x=.
func (v *validator) dkim(c *Config, r *rawDKIM) {
	c.DKIM.MaxSignatures = v.count("$.dkim.max_signatures", r.MaxSignatures, 1, maxDKIMSignatures)
	for _, p := range dkimsign.CheckSpecs(r.Sign) {
		v.fail("$."+p.Path, "%s: %s", p.Path, p.Msg)
	}
	c.DKIM.Sign = r.Sign
	users := make([]string, 0, len(r.SignUsers))
	for u := range r.SignUsers {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		if _, err := dkimsign.NewAuthorizer(map[string][]string{u: r.SignUsers[u]}); err != nil {
			v.fail(fmt.Sprintf("$.dkim.sign_users.%s", u), "dkim.sign_users: %v", err)
		}
	}
	c.DKIM.SignUsers = r.SignUsers
	if r.SignExpire != "" && r.SignExpire != "0" {
		c.DKIM.SignExpire = v.duration("$.dkim.sign_expire", r.SignExpire, time.Hour, maxSignExpire)
	}
}

// arcSeal validates arc.seal: when enabled, a domain, selector and key
// file name as a dkim.sign entry needs (the key itself is read by
// dkimsign.ReadKey where it is used).
func (v *validator) arcSeal(c *Config, r *rawARCSeal) {
	c.ARCSeal = ARCSeal{Enabled: r.Enabled, Key: dkimsign.KeySpec{Domain: r.Domain, Selector: r.Selector, Key: r.Key}}
	if !r.Enabled {
		return
	}
	for _, p := range dkimsign.CheckSpecs([]dkimsign.KeySpec{c.ARCSeal.Key}) {
		path := "arc.seal" + strings.TrimPrefix(p.Path, "dkim.sign[0]")
		v.fail("$."+path, "%s: %s", path, p.Msg)
	}
}

// dmarc validates dmarc.discovery: treewalk (RFC 9989 §4.10) or psl;
// dmarc.report_store is checked when opened.
func (v *validator) dmarc(c *Config, r *rawDMARC) {
	c.DMARCReportStore = r.ReportStore
	switch r.Discovery {
	case "treewalk":
	case "psl":
		c.DMARCPSL = true
	default:
		v.fail("$.dmarc.discovery", "dmarc.discovery: %q: want treewalk or psl", r.Discovery)
	}
	v.dmarcFailure(c, &r.FailureReports)
}

// DMARCFailure is dmarc.failure_reports: DMARC failure reports (RFC 9991)
// sent through the local MTA.
type DMARCFailure struct {
	Enabled bool
	// From is the reporter's address, the reports' From.
	From string
	// Sendmail is the command that reads a message on its standard input
	// and sends it to its To addresses.
	Sendmail string
	// Redact redacts the local parts of the reported addresses (RFC 6590).
	Redact bool
	// PerDomainHour bounds the reports per policy domain per hour; Queue
	// the reports waiting to be sent.
	PerDomainHour, Queue int
}

// dmarcFailure validates dmarc.failure_reports: when enabled, from must
// be one address and sendmail a command.
func (v *validator) dmarcFailure(c *Config, r *rawFailureReports) {
	c.DMARCFailure = DMARCFailure{Enabled: r.Enabled, From: r.From, Sendmail: strings.TrimSpace(r.Sendmail), Redact: r.Redact,
		PerDomainHour: v.count("$.dmarc.failure_reports.per_domain_hour", r.PerDomainHour, 1, 10000),
		Queue:         v.count("$.dmarc.failure_reports.queue", r.Queue, 1, 100000)}
	if !r.Enabled {
		return
	}
	if l, err := mailmsg.ParseAddressList(r.From); err != nil || len(l) != 1 || l[0].Addr != r.From || !strings.Contains(r.From, "@") {
		v.fail("$.dmarc.failure_reports.from", "dmarc.failure_reports.from: %q: want the reporter's address (user@domain)", r.From)
	}
	if c.DMARCFailure.Sendmail == "" {
		v.fail("$.dmarc.failure_reports.sendmail", "dmarc.failure_reports.sendmail: want a command")
	}
}
