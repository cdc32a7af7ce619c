package main

import (
	"strings"
	"testing"
)

// check applies the header limits serve applies (limits.header_bytes,
// limits.header_fields): a message past them gets serve's 552 5.3.4, not a
// verdict serve never gives, and check reads no more of it than the limit
// (a header line without end, /dev/zero, grew check to 880 MB).
func TestCheckHeaderLimits(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "milter91.yml", baseConfig+"limits: {header_bytes: 64KiB, header_fields: 100}\n")
	fields := writeFile(t, dir, "fields.eml", strings.Repeat("X-A: b\r\n", 101)+unsigned)
	bytes := writeFile(t, dir, "bytes.eml", "X-Big: "+strings.Repeat("b", 70_000)+"\r\n"+unsigned)
	endless := writeFile(t, dir, "endless.eml", "X-A: "+strings.Repeat("\x00", 4<<20))
	within := writeFile(t, dir, "within.eml", strings.Repeat("X-A: b\r\n", 90)+unsigned)
	for _, tc := range []struct {
		name, file, limit string
	}{
		{"fields", fields, "header_fields"},
		{"bytes", bytes, "header_bytes"},
		{"a line without end", endless, "header_bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd("", "check", "--config", cfg, "--dns", "127.0.0.1:1", "--ip", cleanIP, tc.file, "--json")
			if r.code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
			}
			got := decodeCheck(t, r.stdout)
			if got.Action != "reject" || got.SMTPReply == nil || got.SMTPReply.Code != 552 || got.SMTPReply.Enhanced != "5.3.4" ||
				got.SMTPReply.Text != "Message header exceeds fixed limit" || !strings.Contains(r.stdout, `"limit": "`+tc.limit+`"`) {
				t.Errorf("got %s, want reject 552 5.3.4 Message header exceeds fixed limit, limit %s", r.stdout, tc.limit)
			}
		})
	}
	r := runCmd("", "check", "--config", cfg, "--dns", "127.0.0.1:1", "--ip", cleanIP, within)
	if r.code != 0 || strings.Contains(r.stdout, "552") || !strings.Contains(r.stdout, "action: ") {
		t.Errorf("within the limits: exit %d, stdout:\n%s", r.code, r.stdout)
	}
	r = runCmd("", "check", "--config", cfg, "--dns", "127.0.0.1:1", "--ip", cleanIP, fields)
	if !strings.Contains(r.stdout, "reply:  552 5.3.4 Message header exceeds fixed limit") || !strings.Contains(r.stdout, "limit:  header_fields") {
		t.Errorf("text output:\n%s", r.stdout)
	}
}
