package config

import (
	"fmt"
	"strings"
)

// Abuse actions (reports.abuse_action).
const (
	AbuseAccept  = "accept"
	AbuseDiscard = "discard"
)

// Reports configures the intake of users' spam reports (Decree 91/2020
// Art. 10.2, 12.1). The reports are stored in the registry's database
// (decree91.registry).
type Reports struct {
	// AbuseMailboxes are the addresses whose mail is read as feedback
	// reports (RFC 5965), lower-cased; none turns the intake off.
	AbuseMailboxes []string
	// AbuseAction is AbuseAccept (deliver the report to the mailbox once
	// stored) or AbuseDiscard (drop it once stored; a report that could
	// not be stored is always delivered).
	AbuseAction string
	// FeedbackID stamps outbound ads to one recipient that carry no
	// Feedback-ID with one recorded for that recipient, so that a
	// feedback loop that redacts the recipient maps back to them.
	FeedbackID bool
}

type rawReports struct {
	AbuseMailboxes []string `yaml:"abuse_mailboxes"`
	AbuseAction    string   `yaml:"abuse_action"`
	FeedbackID     bool     `yaml:"feedback_id"`
}

func (v *validator) reports(c *Config, r *rawReports) {
	rep := Reports{AbuseAction: strings.ToLower(strings.TrimSpace(r.AbuseAction)), FeedbackID: r.FeedbackID}
	if rep.AbuseAction == "" {
		rep.AbuseAction = AbuseAccept
	}
	if rep.AbuseAction != AbuseAccept && rep.AbuseAction != AbuseDiscard {
		v.fail("$.reports.abuse_action", "reports.abuse_action: %q: want accept or discard", r.AbuseAction)
	}
	for i, a := range r.AbuseMailboxes {
		a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
		at := strings.LastIndexByte(a, '@')
		if at <= 0 || at == len(a)-1 || strings.ContainsAny(a, " \t\r\n") {
			v.fail(fmt.Sprintf("$.reports.abuse_mailboxes[%d]", i), "reports.abuse_mailboxes[%d]: %q: want local@domain", i, r.AbuseMailboxes[i])
			continue
		}
		rep.AbuseMailboxes = append(rep.AbuseMailboxes, a)
	}
	if (len(rep.AbuseMailboxes) > 0 || rep.FeedbackID) && (!c.Decree.Enabled || c.Decree.Registry == "") {
		v.fail("$.reports.abuse_mailboxes", "reports: the reports and Feedback-IDs are stored in the registry's database: set decree91.registry (and decree91.enabled)")
	}
	c.Reports = rep
}
