package config

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"time"

	"milter91/internal/dsn"
)

// Archive configures the header archive (Decree 91/2020 Art. 10.6) and
// the daily counts behind the statistics reports (Art. 10.7).
type Archive struct {
	// Store is a SQLite file name or a PostgreSQL URL or DSN; "" turns the
	// archive off.
	Store string
	// Retention is how long records are kept (≥ 180 days, Art. 10.6);
	// older ones are pruned hourly.
	Retention time.Duration
	// Queue is how many records wait for the store in memory at most
	// (more go to the spool, never blocking mail); Batch is how many one
	// write takes.
	Queue int
	Batch int
	// SpoolDir keeps the records past Queue on disk until the store takes
	// them (kept across restarts); "" in the file means "<Store>.spool"
	// for a SQLite store, none for PostgreSQL. SpoolMax bounds it in
	// bytes; 0 turns spooling off. Without a spool, or with it full, such
	// records are dropped, counted and logged with their queue IDs.
	SpoolDir string
	SpoolMax int64
}

// Admin configures the admin HTTP API.
type Admin struct {
	// Listen is HOST:PORT; "" is off. Without TLS the host must be a
	// loopback address.
	Listen string
	// TokenFile holds the bearer token (≥ 16 bytes, not readable by group
	// or others) of the operator named "admin": the single shared token
	// of older configurations.
	TokenFile string
	// Tokens are the operators' own tokens, one per operator, so that
	// the header archive's searches are logged with who made them.
	Tokens []AdminToken
	// TLSCert and TLSKey are PEM files; both or neither.
	TLSCert string
	TLSKey  string
}

// minArchiveRetention is Decree 91/2020 Art. 10.6's minimum.
const minArchiveRetention = 180 * 24 * time.Hour

type rawArchive struct {
	Store     string `yaml:"store"`
	Retention string `yaml:"retention"`
	Queue     number `yaml:"queue"`
	Batch     number `yaml:"batch"`
	SpoolDir  string `yaml:"spool_dir"`
	SpoolMax  string `yaml:"spool_max"`
}

// AdminToken is one operator's token: Name (letters, digits, . _ -, at
// most 63; unique) and the File holding it (as admin.token_file).
type AdminToken struct {
	Name string `yaml:"name"`
	File string `yaml:"file"`
}

type rawAdmin struct {
	Listen    string       `yaml:"listen"`
	TokenFile string       `yaml:"token_file"`
	Tokens    []AdminToken `yaml:"tokens"`
	TLSCert   string       `yaml:"tls_cert"`
	TLSKey    string       `yaml:"tls_key"`
}

// operatorName is the syntax of admin.tokens[].name.
var operatorName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// tokens checks admin.tokens: names valid and unique ("admin" is
// token_file's when that is set), a file each.
func (v *validator) tokens(a *Admin) {
	seen := map[string]bool{}
	if a.TokenFile != "" {
		seen["admin"] = true
	}
	for i, t := range a.Tokens {
		path := fmt.Sprintf("$.admin.tokens[%d]", i)
		switch {
		case !operatorName.MatchString(t.Name):
			v.fail(path+".name", "admin.tokens[%d].name: %q: want letters, digits, . _ -, at most 63", i, t.Name)
		case seen[t.Name]:
			v.fail(path+".name", "admin.tokens[%d].name: %q names two tokens (\"admin\" is token_file's)", i, t.Name)
		case t.File == "":
			v.fail(path+".file", "admin.tokens[%d].file: required", i)
		}
		seen[t.Name] = true
	}
}

func (v *validator) archive(c *Config, r *rawArchive) {
	a := Archive{Store: r.Store, Queue: v.count("$.archive.queue", r.Queue, 1, maxArchiveQueue)}
	ret, err := parseDays(r.Retention)
	switch {
	case err != nil:
		v.fail("$.archive.retention", "archive.retention: %v", err)
	case ret < minArchiveRetention:
		v.fail("$.archive.retention", "archive.retention: %s is below 180 days (Decree 91/2020 Art. 10.6)", r.Retention)
	}
	a.Retention = ret
	if a.Queue > 0 {
		a.Batch = v.count("$.archive.batch", r.Batch, 1, a.Queue)
	}
	a.SpoolMax = v.size("$.archive.spool_max", r.SpoolMax, 0, maxArchiveSpool)
	a.SpoolDir = r.SpoolDir
	if a.SpoolDir == "" && a.Store != "" && !dsn.Is(a.Store) {
		a.SpoolDir = a.Store + ".spool"
	}
	if a.SpoolMax == 0 {
		a.SpoolDir = ""
	}
	c.Archive = a
}

// metrics checks metrics_listen: HOST:PORT, on a loopback address unless
// metrics_allow_remote (the endpoint has no authentication).
func (v *validator) metrics(c *Config, allowRemote bool) {
	c.MetricsAllowRemote = allowRemote
	if c.MetricsListen == "" {
		return
	}
	host, _, err := net.SplitHostPort(c.MetricsListen)
	switch {
	case err != nil:
		v.fail("$.metrics_listen", "metrics_listen: %q: want HOST:PORT", c.MetricsListen)
	case !allowRemote && !isLoopback(host):
		v.fail("$.metrics_listen", "metrics_listen: %q is not a loopback address; set metrics_allow_remote: true to serve the metrics elsewhere (they have no authentication)", c.MetricsListen)
	}
}

// isLoopback reports whether host (of HOST:PORT) is "localhost" or a
// loopback IP address; "" (all interfaces) is not.
func isLoopback(host string) bool {
	ip, err := netip.ParseAddr(host)
	return host == "localhost" || (err == nil && ip.IsLoopback())
}

func (v *validator) admin(c *Config, r *rawAdmin) {
	a := Admin(*r)
	v.tokens(&a)
	c.Admin = a
	if a.Listen == "" {
		if a.TokenFile != "" || len(a.Tokens) > 0 || a.TLSCert != "" || a.TLSKey != "" {
			v.fail("$.admin.listen", "admin.listen: empty, so the admin API is off and token_file/tls_* are unused; set listen or remove them")
		}
		return
	}
	host, _, err := net.SplitHostPort(a.Listen)
	if err != nil {
		v.fail("$.admin.listen", "admin.listen: %q: want HOST:PORT", a.Listen)
		return
	}
	if (a.TLSCert == "") != (a.TLSKey == "") {
		v.fail("$.admin.tls_cert", "admin: tls_cert and tls_key go together")
	}
	if a.TLSCert == "" && !isLoopback(host) {
		v.fail("$.admin.listen", "admin.listen: %q is not a loopback address; set tls_cert and tls_key to serve it elsewhere", a.Listen)
	}
	if a.TokenFile == "" && len(a.Tokens) == 0 {
		v.fail("$.admin.token_file", "admin.token_file or admin.tokens: required when admin.listen is set")
	}
}
