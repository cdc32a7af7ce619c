package sqldb

import (
	"context"
	"strings"
	"testing"

	"milter91/internal/dsn"
)

// Every DSN form that fails to connect (or to parse) gives an error that
// names the server without the password, in any spelling.
func TestOpenErrorHidesPassword(t *testing.T) {
	const secret = "S3cr3tPw"
	for _, target := range []string{
		"postgres://milter91:" + secret + "@127.0.0.1:1/m?connect_timeout=2",
		"postgres://milter91@127.0.0.1:1/m?password=" + secret + "&connect_timeout=2",
		"postgres://milter91@127.0.0.1:1/m?pass%77ord=" + secret + "&connect_timeout=2",
		"host=127.0.0.1 port=1 dbname=m user=milter91 password=" + secret + " connect_timeout=2",
		"host=127.0.0.1 port=1 dbname=m user=milter91 password = '" + secret + "' connect_timeout=2",
		"postgres://milter91:" + secret + "@127.0.0.1:notaport/m",
		"postgres://milter91:%zz" + secret + "@127.0.0.1/m",
		"host=127.0.0.1 port=notaport password=" + secret,
	} {
		db, err := Open(context.Background(), target)
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", dsn.Redact(target))
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "zz") {
			t.Errorf("error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "xxxxx") {
			t.Errorf("error %q does not name the server (redacted)", err)
		}
	}
}
