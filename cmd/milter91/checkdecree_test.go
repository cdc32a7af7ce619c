package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestCheckJSONDecreeGrade: check --json shows the ad grade with the
// evidence for and against (Decree 91/2020 Art. 3.1), and outbound a
// likely ad is marked, not refused.
func TestCheckJSONDecreeGrade(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "milter91.yml", baseConfig)
	launch := "From: Example Phone <news@example.com>\r\nTo: bob@example.net\r\nSubject: Ra =?UTF-8?Q?m=E1=BA=AFt?= X1\r\n" +
		"List-Unsubscribe: <mailto:unsub@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Example X1 ra mắt, giá 12.990.000đ: https://example.com/products/x1\r\n"
	friend := "From: Lan <lan@example.com>\r\nTo: bob@example.net\r\nSubject: Introducing my new shop\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Pre-order the first batch at https://example.com/products/tea for $12, 20% off this week!\r\n"
	otp := "From: Bank <noreply@example.com>\r\nTo: bob@example.net\r\nSubject: Your code\r\nFeedback-ID: 1:otp:bank\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour OTP is 482913. Free hotline 1800 1234.\r\n"
	for _, tc := range []struct {
		name, msg, grade, action string
		for_, against            []string
	}{
		{"certain ad refused outbound", launch, "certain", "reject", []string{"list-unsubscribe", "price", "launch:ra mắt"}, nil},
		{"likely ad marked outbound", friend, "likely", "accept", []string{"launch:introducing", "preorder:pre-order", "discount"}, []string{"personal"}},
		{"OTP not an ad", otp, "none", "accept", []string{"header:feedback-id"}, []string{"otp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, "msg.eml", tc.msg)
			r := runCmd("", "check", "--config", cfg, "--dns", dns.Addr(), "--ip", cleanIP, "--direction", "outbound",
				"--helo", "mail.example.com", "--from", "alice@example.com", "--rcpt", "bob@example.net", "--json", path)
			if r.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
			}
			var c struct {
				Action string `json:"action"`
				Rules  []struct {
					ID string `json:"id"`
				} `json:"rules"`
				Decree struct {
					Grade    string `json:"grade"`
					Evidence struct {
						For     []string `json:"for"`
						Against []string `json:"against"`
					} `json:"evidence"`
				} `json:"decree91"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			if c.Decree.Grade != tc.grade {
				t.Errorf("grade %q, want %q:\n%s", c.Decree.Grade, tc.grade, r.stdout)
			}
			ids := make([]string, len(c.Rules))
			for i, m := range c.Rules {
				ids[i] = m.ID
			}
			decreeRefused := slices.ContainsFunc(ids, func(id string) bool { return strings.HasPrefix(id, "D91_OUT_") && id != "D91_OUT_LIKELY_AD" })
			if (tc.action == "reject") != decreeRefused {
				t.Errorf("action %q rules %v, want a decree refusal: %v", c.Action, ids, tc.action == "reject")
			}
			for _, e := range tc.for_ {
				if !slices.Contains(c.Decree.Evidence.For, e) {
					t.Errorf("evidence for %q lacks %q", c.Decree.Evidence.For, e)
				}
			}
			for _, e := range tc.against {
				if !slices.Contains(c.Decree.Evidence.Against, e) {
					t.Errorf("evidence against %q lacks %q", c.Decree.Evidence.Against, e)
				}
			}
		})
	}
}
