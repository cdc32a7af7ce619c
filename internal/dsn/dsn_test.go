package dsn

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{in: "postgres://milter:s3cret@db.example.com:5432/m91", want: "postgres://milter:xxxxx@db.example.com:5432/m91"},
		{in: "postgresql://milter:s3cret@db.example.com/m91?sslmode=disable", want: "postgresql://milter:xxxxx@db.example.com/m91?sslmode=disable"},
		{in: "postgres://milter91@127.0.0.1:1/m?password=S3cr3tPw", want: "postgres://milter91@127.0.0.1:1/m?password=xxxxx"},
		{in: "postgres://u@h/m?sslmode=disable&password=S3cr3tPw&application_name=mx", want: "postgres://u@h/m?sslmode=disable&password=xxxxx&application_name=mx"},
		{in: "postgres://u@h/m?pass%77ord=S3cr3tPw", want: "postgres://u@h/m?pass%77ord=xxxxx"},
		{in: "postgres://u@h/m?sslpassword=S3cr3tPw#frag", want: "postgres://u@h/m?sslpassword=xxxxx#frag"},
		{in: "POSTGRES://u:p%40ss@h/m", want: "POSTGRES://u:xxxxx@h/m"},
		// A '/' or '?' inside the password: the URL does not parse.
		{in: "postgres://u:s3c/r?et@h/m", want: "postgres://u:xxxxx@h/m"},
		{in: "postgres://u@h:5432/m?application_name=a@b", want: "postgres://u@h:5432/m?application_name=a@b"},
		{in: "postgres://db.example.com/m91", want: "postgres://db.example.com/m91"},
		{in: "host=127.0.0.1 port=1 dbname=m user=milter91 password=S3cr3tPw", want: "host=127.0.0.1 port=1 dbname=m user=milter91 password=xxxxx"},
		{in: "host=h password = 'S3cr 3t\\'Pw' dbname=m", want: "host=h password = xxxxx dbname=m"},
		{in: "host=h sslpassword=S3cr3tPw", want: "host=h sslpassword=xxxxx"},
		{in: "host=h password='S3cr3tPw", want: "host=h password=xxxxx"},
		{in: "host=h dbname=m", want: "host=h dbname=m"},
		{in: "keepalives=1 host=h password=S3cr3tPw dbname=m", want: "keepalives=1 host=h password=xxxxx dbname=m"},
		{in: "/var/lib/milter91/registry.db", want: "/var/lib/milter91/registry.db"},
		{in: "password.db", want: "password.db"},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIs(t *testing.T) {
	for s, want := range map[string]bool{
		"postgres://h/m": true, "PostgreSQL://h/m": true, "host=h dbname=m": true, " dbname = m": true,
		"registry.db": false, "/var/lib/x=1.db": false, "a=b.db": false, "host.db": false, "": false,
		// Any libpq keyword may come first: a DSN read as a file name was
		// opened as SQLite and logged with its password.
		"keepalives=1 host=h password=S3cr3tPw": true, "sslrootcert=/etc/ca.pem host=h": true,
		"connect_timeout=5 dbname=m": true, "gssencmode=disable host=h": true, "target_session_attrs=any host=h": true,
		"channel_binding=require host=h": true, "tcp_user_timeout=1000 host=h": true, "load_balance_hosts=random host=h": true,
	} {
		if got := Is(s); got != want {
			t.Errorf("Is(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzRedact: Redact and Secrets never panic on any target, and a
// password written into each DSN form never survives Redact.
func FuzzRedact(f *testing.F) {
	f.Add("postgres://u:pw@h/m?password=x", "S3cr3tPw")
	f.Add("host=h password='a\\'b' dbname=m", "se cret'\\")
	f.Add("postgres://u:%zz@h:x/m?pass%77ord=&#", "p@ss/w?rd#")
	f.Fuzz(func(t *testing.T, target, pw string) {
		Redact(target)
		Secrets(target)
		if len(pw) < 8 || strings.ContainsAny(pw, "\x00") {
			return
		}
		quoted := "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw) + "'"
		for _, form := range [][3]string{ // before, the written password, after
			{"postgres://u:", url.PathEscape(pw), "@h/m"},
			{"postgres://u@h/m?sslmode=disable&password=", url.QueryEscape(pw), ""},
			{"host=h dbname=m password=", quoted, " user=u"},
		} {
			dsn := form[0] + form[1] + form[2]
			if strings.Contains(form[0]+"\x00"+form[2], pw) {
				continue // the template itself holds the text
			}
			if strings.Contains(Redact(dsn), pw) {
				t.Errorf("Redact(%q) = %q keeps the password", dsn, Redact(dsn))
			}
		}
	})
}
