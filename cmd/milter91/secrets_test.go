package main

import (
	"strconv"
	"strings"
	"testing"
)

// A store that cannot be reached stops serve with its error, and neither
// that error nor any log line shows the password, in any DSN form.
func TestServeStoreErrorHidesPassword(t *testing.T) {
	const secret = "S3cr3tPw"
	dsns := map[string]string{
		"URL userinfo":  "postgres://milter91:" + secret + "@127.0.0.1:1/m?connect_timeout=2",
		"URL parameter": "postgres://milter91@127.0.0.1:1/m?password=" + secret + "&connect_timeout=2",
		"key=value":     "host=127.0.0.1 port=1 dbname=m user=milter91 password=" + secret + " connect_timeout=2",
		"quoted value":  "host=127.0.0.1 port=1 dbname=m user=milter91 password='" + secret + "' connect_timeout=2",
		"unparsable":    "postgres://milter91:" + secret + "@127.0.0.1:notaport/m",
	}
	for name, dsn := range dsns {
		for _, key := range []string{"archive", "registry"} {
			t.Run(name+"/"+key, func(t *testing.T) {
				dir := t.TempDir()
				store := "archive: {store: " + strconv.Quote(dsn) + "}\n"
				if key == "registry" {
					store = "decree91: {enabled: true, registry: " + strconv.Quote(dsn) + "}\n"
				}
				cfg := writeFile(t, dir, "m.yml", "listen: inet:127.0.0.1:0\nlog: {level: debug}\n"+store)
				r := runCmd("", "serve", "--config", cfg, "--dns", "127.0.0.1:1")
				if r.code != 1 {
					t.Errorf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
				}
				if strings.Contains(r.stderr+r.stdout, secret) {
					t.Errorf("the password shows:\n%s", r.stderr)
				}
				if !strings.Contains(r.stderr, "xxxxx") {
					t.Errorf("stderr does not name the store (redacted):\n%s", r.stderr)
				}
			})
		}
	}
}
