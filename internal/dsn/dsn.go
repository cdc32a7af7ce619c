// Package dsn tells a PostgreSQL server's connection string from a SQLite
// file name and masks the passwords either may hold, for the config's
// checks, logs, error texts and reports. It links no SQL driver:
// internal/sqldb opens the stores.
package dsn

import (
	"net/url"
	"slices"
	"strings"
)

// mask replaces a password in what Redact returns.
const mask = "xxxxx"

// secretKeys are the connection parameters that hold a password (libpq:
// password, and sslpassword for the client key).
var secretKeys = map[string]bool{"password": true, "sslpassword": true}

// kvKeys are the connection keywords a key=value DSN may start with: every
// libpq keyword (PostgreSQL 17 docs, "Parameter Key Words") and the ones
// pgx adds. A DSN whose first keyword was missing here was taken for a
// SQLite file name: opened as one and logged with its password.
var kvKeys = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "password": true,
	"passfile": true, "require_auth": true, "channel_binding": true, "connect_timeout": true,
	"client_encoding": true, "options": true, "application_name": true, "fallback_application_name": true,
	"keepalives": true, "keepalives_idle": true, "keepalives_interval": true, "keepalives_count": true,
	"tcp_user_timeout": true, "replication": true, "gssencmode": true, "sslmode": true, "requiressl": true,
	"sslnegotiation": true, "sslcompression": true, "sslcert": true, "sslkey": true, "sslpassword": true,
	"sslcertmode": true, "sslrootcert": true, "sslcrl": true, "sslcrldir": true, "sslsni": true,
	"requirepeer": true, "ssl_min_protocol_version": true, "ssl_max_protocol_version": true,
	"krbsrvname": true, "gsslib": true, "gssdelegation": true, "service": true, "target_session_attrs": true,
	"load_balance_hosts": true,
	// pgx
	"servicefile": true, "sslinline": true, "statement_cache_capacity": true,
	"description_cache_capacity": true, "default_query_exec_mode": true, "min_read_buffer_size": true,
}

// span is a byte range [start, end) of a secret value inside a target.
type span struct{ start, end int }

// Is reports whether s names a PostgreSQL server rather than a SQLite
// file name: a postgres:// or postgresql:// URL, or a libpq key=value DSN
// whose first keyword is a connection keyword ("host=db.example.com
// dbname=m91 user=milter91").
func Is(s string) bool {
	if isURL(s) {
		return true
	}
	k, ok := firstKV(s)
	return ok && kvKeys[k]
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Redact returns target with every password replaced by "xxxxx", for
// logs, error texts and reports: the userinfo password and the password=
// and sslpassword= query parameters of a URL (percent-encoded keys too),
// and the password and sslpassword values of a key=value DSN (quoted or
// not). A URL that does not parse is masked from its userinfo's first ':'
// to its last '@', which may mask more than the password. A SQLite file
// name is returned unchanged.
func Redact(target string) string {
	spans := secretSpans(target)
	if len(spans) == 0 {
		return target
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(target[last:s.start])
		b.WriteString(mask)
		last = s.end
	}
	b.WriteString(target[last:])
	return b.String()
}

// Secrets returns the password values target holds, as written and
// decoded, longest first; none for a SQLite file name.
func Secrets(target string) []string {
	var out []string
	for _, s := range secretSpans(target) {
		raw := target[s.start:s.end]
		out = append(out, raw)
		if isURL(target) {
			if d, err := url.QueryUnescape(raw); err == nil {
				out = append(out, d)
			}
		} else {
			out = append(out, unquoteKV(raw))
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return s == "" })
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// secretSpans returns the spans of target's passwords, in order.
func secretSpans(target string) []span {
	if isURL(target) {
		return urlSpans(target)
	}
	if Is(target) {
		return kvSpans(target)
	}
	return nil
}

// Scrub returns text with each of secrets (Secrets' result) replaced by
// the mask "xxxxx", for an error text that may quote a connection string.
func Scrub(text string, secrets []string) string {
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, mask)
	}
	return text
}
