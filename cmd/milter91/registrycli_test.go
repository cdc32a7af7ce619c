package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/config"
)

// regNow is the injected clock of the consent/refusal command tests.
var regNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// regStep is one command run and what it must print and return.
type regStep struct {
	name    string
	args    []string
	stdin   string
	code    int
	stdout  string // exact, when wantOut is set
	wantOut bool
	outHas  string
	errHas  string
}

// runRegSteps runs steps in order through runner, each with the injected
// clock, and checks code and output.
func runRegSteps(t *testing.T, runner func(context.Context, []string, cliEnv) int, steps []regStep) {
	t.Helper()
	for _, st := range steps {
		var out, errOut bytes.Buffer
		env := cliEnv{stdin: strings.NewReader(st.stdin), stdout: &out, stderr: &errOut, now: func() time.Time { return regNow }}
		code := runner(context.Background(), st.args, env)
		if code != st.code {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", st.name, code, st.code, errOut.String())
		}
		if st.wantOut && out.String() != st.stdout {
			t.Errorf("%s: stdout\n%s\nwant\n%s", st.name, out.String(), st.stdout)
		}
		if !strings.Contains(out.String(), st.outHas) {
			t.Errorf("%s: stdout\n%s\nwant it to contain %q", st.name, out.String(), st.outHas)
		}
		if !strings.Contains(errOut.String(), st.errHas) {
			t.Errorf("%s: stderr\n%s\nwant it to contain %q", st.name, errOut.String(), st.errHas)
		}
	}
}

func TestConsentCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	exported := filepath.Join(dir, "out.csv")
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("\ufeffrecipient,advertiser,method,time\r\nbob@example.net,example.org,software,2026-02-01T00:00:00Z\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const header = "advertiser,recipient,method,time,evidence,max_per_day,revoked_at,last_used_at\n"
	const ann = "example.com,ann@example.net,form,2026-02-01T10:00:00.000Z,web form #12,5,,2026-03-01T09:00:00.000Z\n"
	const annRevoked = "example.com,ann@example.net,form,2026-02-01T10:00:00.000Z,web form #12,5,2026-03-01T09:00:00.000Z,2026-03-01T09:00:00.000Z\n"
	const bob = "example.org,bob@example.net,software,2026-02-01T00:00:00.000Z,,,,2026-03-01T09:00:00.000Z\n"
	steps := []regStep{
		{name: "list before the file exists", args: []string{"list", "--db", db}, code: 1, errHas: "no such file"},
		{name: "add", args: []string{"add", "--db", db, "--advertiser", "Example.com", "--rcpt", "Ann@Example.net", "--method", "form",
			"--evidence", "web form #12", "--max-per-day", "5", "--time", "2026-02-01T17:00:00+07:00"},
			outHas: "example.com  ann@example.net  form    2026-02-01T10:00:00Z  5"},
		{name: "add without method", args: []string{"add", "--db", db, "--advertiser", "example.com", "--rcpt", "x@example.net"}, code: 2, errHas: "usage:"},
		{name: "add subdomain advertiser", args: []string{"add", "--db", db, "--advertiser", "news.example.com", "--rcpt", "x@example.net", "--method", "form"},
			code: 2, errHas: `not an organizational domain (use "example.com")`},
		{name: "add in the future", args: []string{"add", "--db", db, "--advertiser", "example.com", "--rcpt", "x@example.net", "--method", "form",
			"--time", "2026-03-02T00:00:00Z"}, code: 2, errHas: "in the future"},
		{name: "add with a NUL in the evidence", args: []string{"add", "--db", db, "--advertiser", "example.com", "--rcpt", "x@example.net",
			"--method", "form", "--evidence", "a\x00b"}, code: 2, errHas: "evidence: NUL byte at byte 2"},
		{name: "list csv", args: []string{"list", "--db", db, "--csv"}, wantOut: true, stdout: header + ann},
		{name: "list other recipient", args: []string{"list", "--db", db, "--rcpt", "nobody@example.net"}, wantOut: true,
			stdout: "ADVERTISER  RECIPIENT  METHOD  TIME  MAX/24H  REVOKED  LAST USED  EVIDENCE\n"},
		{name: "revoke", args: []string{"revoke", "--db", db, "--advertiser", "example.com", "--rcpt", "ANN@example.net"}, outHas: "consent revoked"},
		{name: "revoke again", args: []string{"revoke", "--db", db, "--advertiser", "example.com", "--rcpt", "ann@example.net"}, code: 1, errHas: "no active consent"},
		{name: "import with errors", args: []string{"import", "--db", db, "-"},
			stdin: "advertiser,recipient,method,time\nexample.com,c@example.net,form,2026-01-01T00:00:00Z\nexample.com,bad,form,2026-01-01\n",
			code:  2, errHas: "line 3: time \"2026-01-01\": want RFC 3339, e.g. 2026-01-02T15:04:05Z\nline 3: recipient: address \"bad\": want local@domain\n" +
				"milter91 consent import: 2 problems, nothing imported\n"},
		{name: "import a file", args: []string{"import", "--db", db, good}, wantOut: true, stdout: "imported 1 records\n"},
		{name: "import without file", args: []string{"import", "--db", db}, code: 2, errHas: "usage:"},
		{name: "export", args: []string{"export", "--db", db}, wantOut: true, stdout: header + annRevoked + bob},
		{name: "export to file", args: []string{"export", "--db", db, exported}, wantOut: true, stdout: ""},
		{name: "unknown subcommand", args: []string{"delete"}, code: 2, errHas: `unknown subcommand "delete"`},
	}
	runRegSteps(t, runConsent, steps)
	if b, err := os.ReadFile(exported); err != nil || string(b) != header+annRevoked+bob {
		t.Errorf("exported file: %q %v", b, err)
	}
}

func TestRefusalCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	const header = "advertiser,recipient,scope,time,channel,evidence,last_used_at\n"
	steps := []regStep{
		{name: "add product scope", args: []string{"add", "--db", db, "--advertiser", "example.com", "--rcpt", "ann@example.net",
			"--channel", "phone", "--scope", "Weekly <weekly.example.com>", "--evidence", "call 2026-03-01"},
			outHas: "example.com  ann@example.net  weekly.example.com  2026-03-01T09:00:00Z  phone"},
		{name: "add without channel", args: []string{"add", "--db", db, "--advertiser", "example.com", "--rcpt", "ann@example.net"}, code: 2, errHas: "usage:"},
		{name: "add bad channel", args: []string{"add", "--db", db, "--advertiser", "example.com", "--rcpt", "ann@example.net", "--channel", "fax"},
			code: 2, errHas: `channel "fax"`},
		{name: "import", args: []string{"import", "--db", db, "-"},
			stdin:   "advertiser,recipient,scope,time,channel\r\nexample.org,bob@example.net,all,2026-02-01T00:00:00Z,web\r\n",
			wantOut: true, stdout: "imported 1 records\n"},
		{name: "import duplicate lines", args: []string{"import", "--db", db, "-"},
			stdin: "advertiser,recipient,scope,time,channel\nexample.org,c@example.net,all,2026-02-01T00:00:00Z,web\nexample.org,C@example.net,ALL,2026-02-02T00:00:00Z,web\n",
			code:  2, errHas: "line 3: duplicate of line 2 (same advertiser, recipient and scope)"},
		{name: "list csv for one advertiser", args: []string{"list", "--db", db, "--advertiser", "example.org", "--csv"}, wantOut: true,
			stdout: header + "example.org,bob@example.net,all,2026-02-01T00:00:00.000Z,web,,2026-03-01T09:00:00.000Z\n"},
		{name: "export", args: []string{"export", "--db", db, "-"}, wantOut: true, stdout: header +
			"example.com,ann@example.net,weekly.example.com,2026-03-01T09:00:00.000Z,phone,call 2026-03-01,2026-03-01T09:00:00.000Z\n" +
			"example.org,bob@example.net,all,2026-02-01T00:00:00.000Z,web,,2026-03-01T09:00:00.000Z\n"},
		{name: "export two files", args: []string{"export", "--db", db, "a.csv", "b.csv"}, code: 2, errHas: "usage:"},
		{name: "no subcommand", code: 2, errHas: "milter91 refusal add"},
	}
	runRegSteps(t, runRefusal, steps)
}

// The commands are reachable from run, and --db defaults to the config's
// decree91.registry, else defaultRegistryPath.
func TestRegistryDefaultPath(t *testing.T) {
	dir := t.TempDir()
	withRegistry := filepath.Join(dir, "with.yml")
	yml := strings.Replace(string(config.DefaultYAML()), `registry: ""`, `registry: /srv/reg.db`, 1)
	if err := os.WriteFile(withRegistry, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		flags   registryFlags
		want    string
		wantErr bool
	}{
		{name: "--db wins", flags: registryFlags{db: "/x/r.db", configPath: withRegistry}, want: "/x/r.db"},
		{name: "config's registry", flags: registryFlags{configPath: withRegistry}, want: "/srv/reg.db"},
		{name: "embedded default has none", flags: registryFlags{}, want: defaultRegistryPath},
		{name: "unreadable config", flags: registryFlags{configPath: filepath.Join(dir, "missing.yml")}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := tt.flags.path()
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: %q %v, want %q error=%v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"consent", "list", "--db", filepath.Join(dir, "none.db")}, strings.NewReader(""), &out, &errOut); code != 1 {
		t.Errorf("run consent list on a missing file: exit %d, want 1", code)
	}
	if code := run([]string{"refusal"}, strings.NewReader(""), &out, &errOut); code != 2 {
		t.Errorf("run refusal without subcommand: exit %d, want 2", code)
	}
}
