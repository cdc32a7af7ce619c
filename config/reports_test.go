package config

import (
	"slices"
	"strings"
	"testing"
)

func TestReportsConfig(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.Reports.AbuseMailboxes != nil || c.Reports.AbuseAction != AbuseAccept {
		t.Errorf("defaults %+v", c.Reports)
	}
	ok := "decree91: {registry: /var/lib/milter91/registry.db}\nreports: {abuse_mailboxes: [\"<Abuse@Example.net>\"], abuse_action: discard}\n"
	c, err = Parse("ok.yml", []byte(ok))
	if err != nil || !slices.Equal(c.Reports.AbuseMailboxes, []string{"abuse@example.net"}) || c.Reports.AbuseAction != AbuseDiscard {
		t.Fatalf("Parse: %+v %v", c.Reports, err)
	}
	for name, tc := range map[string]struct{ src, want string }{
		"bad action":                   {"reports: {abuse_action: drop}\n", "reports.abuse_action: \"drop\""},
		"bad address":                  {"decree91: {registry: /r.db}\nreports: {abuse_mailboxes: [abuse]}\n", "want local@domain"},
		"no registry":                  {"reports: {abuse_mailboxes: [abuse@example.net]}\n", "set decree91.registry"},
		"feedback_id without registry": {"reports: {feedback_id: true}\n", "set decree91.registry"},
	} {
		if _, err := Parse("m.yml", []byte(tc.src)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
	}
}
