package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func (v *validator) decree(c *Config, r *rawDecree) {
	d := Decree{
		Enabled:               r.Enabled == nil || *r.Enabled,
		Registry:              r.Registry,
		DefaultDirection:      r.DefaultDirection,
		LocalDirection:        r.LocalDirection,
		OutboundAuthenticated: r.OutboundAuthenticated == nil || *r.OutboundAuthenticated,
		OutboundListeners:     r.OutboundListeners,
		OutboundDaemonNames:   r.OutboundDaemonNames,
		Labels:                r.Labels,
		MultiRecipient:        r.MultiRecipient,
		ProductHeaders:        r.ProductHeaders,
		SharedMailboxDomains:  r.SharedMailboxDomains,
		ConsentPolicy:         r.ConsentPolicy,
		AdEnvelopeSenders:     r.AdEnvelopeSenders,
		InboundScope:          r.InboundScope,
		MaxPer24h:             v.count("$.decree91.max_per_24h", r.MaxPer24h, 1, maxPer24h),
	}
	if d.DefaultDirection != "inbound" && d.DefaultDirection != "outbound" {
		v.fail("$.decree91.default_direction", "decree91.default_direction: %q: want inbound or outbound", d.DefaultDirection)
	}
	if d.LocalDirection != "inbound" && d.LocalDirection != "outbound" {
		v.fail("$.decree91.local_direction", "decree91.local_direction: %q: want inbound or outbound", d.LocalDirection)
	}
	switch d.MultiRecipient {
	case "reject_all", "remove_refused", "remove_rejected":
	case "remove_failing":
		// The old name; it removed deferred recipients too, which lost
		// their mail: remove_rejected never does.
		d.MultiRecipient = "remove_rejected"
	default:
		v.fail("$.decree91.multi_recipient", "decree91.multi_recipient: %q: want remove_refused, remove_rejected or reject_all", d.MultiRecipient)
	}
	switch d.ConsentPolicy {
	case "reject", "tag", "off":
	default:
		v.fail("$.decree91.consent_policy", "decree91.consent_policy: %q: want reject, tag or off", d.ConsentPolicy)
	}
	if d.InboundScope != "vietnamese" && d.InboundScope != "all" {
		v.fail("$.decree91.inbound_scope", "decree91.inbound_scope: %q: want vietnamese or all", d.InboundScope)
	}
	v.decreeLists(c, &d)
	ret, err := parseDays(r.Retention)
	switch {
	case err != nil:
		v.fail("$.decree91.retention", "decree91.retention: %v", err)
	case ret < 365*24*time.Hour:
		v.fail("$.decree91.retention", "decree91.retention: %s is below one year (Decree 91/2020 Art. 11.7)", r.Retention)
	}
	d.Retention = ret
	c.Decree = d
}

// decreeLists checks the list keys of decree91: the domain lists, the
// labels and the outbound listeners.
func (v *validator) decreeLists(c *Config, d *Decree) {
	for _, l := range []struct {
		key  string
		doms []string
	}{{"ad_envelope_senders", d.AdEnvelopeSenders}, {"shared_mailbox_domains", d.SharedMailboxDomains}} {
		key := l.key
		for i, dom := range l.doms {
			if strings.TrimSpace(dom) == "" || strings.ContainsAny(dom, "@ \t") {
				v.fail(fmt.Sprintf("$.decree91.%s[%d]", key, i), "decree91.%s: %q is not a domain", key, dom)
			}
		}
	}
	if len(d.Labels) == 0 {
		v.fail("$.decree91.labels", "decree91.labels: at least one label is required (Art. 18)")
	}
	for i, l := range d.Labels {
		if strings.TrimSpace(l) == "" {
			v.fail(fmt.Sprintf("$.decree91.labels[%d]", i), "decree91.labels: empty label")
		}
	}
	for i, l := range d.OutboundListeners {
		if !contains(c.Listen, l) {
			v.fail(fmt.Sprintf("$.decree91.outbound_listeners[%d]", i), "decree91.outbound_listeners: %q is not one of listen %v", l, c.Listen)
		}
	}
}

// maxDays bounds a day count: more would overflow time.Duration (about
// 106 751 days) and wrap around to a short retention.
const maxDays = 100000

// parseDays reads a duration that may use a day suffix ("400d") as well as
// Go's units ("9600h").
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		if days > maxDays {
			return 0, fmt.Errorf("%q: at most %d days", s, maxDays)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (e.g. 400d)", s)
	}
	if d > maxDays*24*time.Hour {
		return 0, fmt.Errorf("%q: at most %d days", s, maxDays)
	}
	return d, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
