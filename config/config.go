// Package config turns the daemon's YAML file into a validated, immutable
// Config. Values missing from the file keep the embedded defaults
// (default.yml). Errors carry file:line:col.
package config

import (
	_ "embed"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/goccy/go-yaml/ast"

	"milter91/dnsbl"
	"milter91/internal/dkimsign"
	"milter91/internal/dsn"
	"milter91/internal/ratelimit"
	"milter91/internal/regfile"
	"milter91/internal/txn"
)

//go:embed default.yml
var defaultYAML []byte

// DefaultYAML returns the embedded default configuration file.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Config is the validated daemon configuration. Treat it as read-only:
// a reload builds a new one.
type Config struct {
	// Source is the file the config came from, or "(embedded default)".
	Source string
	// Listen addresses: inet:HOST:PORT, unix:/PATH or inet:PORT@HOST.
	Listen      []string
	SocketMode  os.FileMode
	SocketGroup string
	// AuthservID names this host in Authentication-Results (RFC 8601 §2.5).
	AuthservID string
	// FailMode is txn.ActionTempfail or txn.ActionAccept: the verdict on an
	// internal fault.
	FailMode txn.Action
	// TrustedNetworks are the relays (a backup MX, a filtering tier) whose
	// Received fields are believed: behind one, SPF and the blocklists
	// judge the first untrusted hop.
	TrustedNetworks []netip.Prefix
	// Modes say where verdicts are only observed (mode: observe): logged,
	// counted and written as X-Milter91-Would, never enforced.
	Modes Modes
	// MessageDeadline bounds end-of-message evaluation.
	MessageDeadline time.Duration
	// ShutdownGrace bounds how long messages in flight may finish on SIGTERM.
	ShutdownGrace     time.Duration
	SkipAuthenticated bool
	// SpoolThreshold in bytes: larger bodies are spooled to SpoolDir.
	SpoolThreshold int64
	SpoolDir       string
	// MetricsListen is HOST:PORT of the Prometheus /metrics endpoint; ""
	// is off. A host that is not a loopback address needs
	// MetricsAllowRemote (the endpoint has no authentication).
	MetricsListen      string
	MetricsAllowRemote bool
	// Limits bound milter connections and header blocks.
	Limits Limits
	DNS    DNS
	DKIM   DKIM
	// ARCSeal is arc.seal: the key ARC Sets are sealed with (RFC 8617
	// §5.1), off by default.
	ARCSeal ARCSeal
	// DMARCPSL: dmarc.discovery is psl (RFC 7489's public suffix list)
	// rather than RFC 9989's DNS tree walk (treewalk, the default).
	DMARCPSL bool
	// DMARCReportStore keeps the aggregate report entries (dmarc.report_store:
	// a SQLite file or a PostgreSQL URL or DSN); "" keeps none.
	DMARCReportStore string
	// DMARCFailure configures the failure reports (dmarc.failure_reports,
	// RFC 9991); off by default.
	DMARCFailure DMARCFailure
	DNSBL        DNSBL
	// Lists are the local list files (Decree 91/2020 Art. 8, 9.12: the
	// national IP/domain blacklist; the operator's block and allow
	// lists); paths are relative to the config file's directory.
	Lists []dnsbl.LocalListConfig
	Rules Rules
	Tag   Tag
	// Quarantine chooses hold or junk for quarantine verdicts.
	Quarantine Quarantine
	Log        Log
	Decree     Decree
	// Archive is the header archive (Decree 91/2020 Art. 10.6).
	Archive Archive
	// Admin is the admin HTTP API.
	Admin Admin
	// Counters is the shared counter store; RateLimits the outbound rate
	// limits on it (none by default), in order: the first exceeded is
	// reported.
	Counters   Counters
	RateLimits []ratelimit.Limit
	// Bayes is the content classifier.
	Bayes Bayes
	// ContentFacts finds the content signals (the rule fact content).
	ContentFacts bool
	// Reports is the intake of users' spam reports.
	Reports Reports

	// file is the syntax tree of Source, for ErrorAt; nil for the defaults.
	file *ast.File
}

// ErrorAt returns an error at the position in c's file of the value at key
// ("rules.paths[0]", "lists[2].path"): the value's own, else that of the
// nearest enclosing key written in the file, else none (a default value).
func (c *Config) ErrorAt(key, format string, args ...any) Error {
	line, col := position(c.file, "$."+key)
	return Error{File: c.Source, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// Decree configures the Decree 91/2020 analysis, registry and directions.
type Decree struct {
	Enabled bool
	// Registry is the SQLite file or PostgreSQL URL or DSN of consents,
	// refusals and sends; "" means no registry (consent, refusal and
	// frequency are then not checked). Several hosts share one registry on PostgreSQL.
	Registry string
	// DefaultDirection is "inbound" or "outbound" for mail that no other
	// setting classifies.
	DefaultDirection string
	// LocalDirection is "inbound" or "outbound" for locally submitted mail
	// (Postfix non_smtpd_milters: sendmail(1)).
	LocalDirection string
	// OutboundAuthenticated makes mail with {auth_authen} set outbound.
	OutboundAuthenticated bool
	// OutboundListeners are listen addresses (as in Listen) whose mail is
	// outbound; OutboundDaemonNames are {daemon_name} values that are.
	OutboundListeners   []string
	OutboundDaemonNames []string
	// Labels allowed at the start of the Subject (Art. 18).
	Labels []string
	// MaxPer24h is the default cap per advertiser and recipient (Art. 13.5).
	MaxPer24h int
	// MultiRecipient is "remove_refused" (default), "remove_rejected" or
	// "reject_all": what happens to a message when only some recipients
	// fail a per-recipient rule (the old "remove_failing" reads as
	// "remove_rejected").
	MultiRecipient string
	// Retention of consent and refusal records after last use (≥ 365 days,
	// Art. 11.7).
	Retention time.Duration
	// ProductHeaders name the headers whose values identify the product or
	// group that product-scoped refusals match (Art. 13.4).
	ProductHeaders []string
	// SharedMailboxDomains are shared mailbox providers (the ISP's own
	// user domain) added to the built-in list (internal/freemail): never
	// advertisers.
	SharedMailboxDomains []string
	// ConsentPolicy is what an outbound ad to a recipient without a
	// recorded consent gets (Art. 11.2): "reject", "tag" (marked and
	// logged) or "off" (not checked).
	ConsentPolicy string
	// AdEnvelopeSenders are envelope sender domains (and their
	// subdomains) declared to send nothing but advertising email of the
	// domain's organizational domain: a recipient who refused that
	// advertiser is refused at RCPT (Art. 13.4).
	AdEnvelopeSenders []string
	// InboundScope decides which inbound ads the decree rules judge:
	// "vietnamese" (Vietnamese text or a .vn advertiser) or "all". The
	// decree covers advertising sent in Vietnam (Art. 2); a foreign
	// newsletter in English is not its case for most users.
	InboundScope string
}

// DNS configures the resolver.
type DNS struct {
	// Servers as HOST:PORT; empty means /etc/resolv.conf.
	Servers   []string
	Timeout   time.Duration // per query attempt
	Retries   int           // extra attempts after the first
	CacheSize int           // entries; 0 is no cache
	// CacheBytes bounds the cache's memory in bytes; 0 is no cache.
	CacheBytes int64
}

// DKIM configures verification and signing.
type DKIM struct {
	// MaxSignatures is how many DKIM-Signature fields are verified at most.
	MaxSignatures int
	// Sign are the signing keys (dkim.sign), key files relative to the
	// config file's directory (made absolute by Load); checked here (dkimsign.CheckSpecs), read by
	// dkimsign.Load when the engine is built.
	Sign []dkimsign.KeySpec
	// SignUsers maps a SASL login to the From domains it may obtain a
	// signature for; a login not listed may sign for its own domain only.
	SignUsers map[string][]string
	// SignExpire, when positive, adds x= this long after t= (RFC 6376
	// §3.5); 0 adds none.
	SignExpire time.Duration
}

// ARCSeal configures ARC sealing (arc.seal). The key is checked as a
// dkim.sign entry (dkimsign.CheckSpecs) when Enabled; its file name is
// made absolute by Load.
type ARCSeal struct {
	Enabled bool
	Key     dkimsign.KeySpec
}

// DNSBL configures the blocklists: IP zones, and domain zones (RHSBL,
// URIBL).
type DNSBL struct {
	// PauseAfterBlocked is how long a zone that answered an error code is
	// not queried (SpamAssassin dns_block_time).
	PauseAfterBlocked time.Duration
	// HealthInterval is how often each zone's RFC 5782 §5 test points
	// are asked (0: never).
	HealthInterval time.Duration
	// MaxBodyDomains caps the distinct link domains of one message that
	// are looked up (default 20); MaxQueries caps its blocklist queries
	// (default 40).
	MaxBodyDomains int
	MaxQueries     int
	Zones          []dnsbl.ZoneConfig // validated; dnsbl.Compile checks them again
}

// Rules says where the YAML rules come from.
type Rules struct {
	Defaults bool     // load the embedded default rules first
	Paths    []string // files or directories, after the defaults
}

// Tag configures the tag action.
type Tag struct {
	// SubjectPrefix is prepended to the Subject of tagged mail; "" is off
	// (rewriting the Subject breaks DKIM signatures over it).
	SubjectPrefix string
}

// Log configures logging.
type Log struct {
	Format string // text | json
	Level  string // debug | info | warn | error
}

// Default returns the embedded default configuration.
func Default() (*Config, error) {
	return Parse("(embedded default)", nil)
}

// Load reads and validates the file at path over the embedded defaults.
// The file must be a regular file (a FIFO would block, a device never
// end). Errors are *ErrorList with file:line:col positions.
// Relative rules.paths are taken relative to the file's directory.
func Load(path string) (*Config, error) {
	f, fi, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	if fi.Size() > maxFileSize {
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("file is %d bytes, over the %d-byte limit", fi.Size(), maxFileSize)}}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("file is over the %d-byte limit", maxFileSize)}}
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	for i, p := range c.Rules.Paths {
		if !filepath.IsAbs(p) {
			c.Rules.Paths[i] = filepath.Join(filepath.Dir(path), p)
		}
	}
	for i := range c.Lists {
		relativeTo(path, &c.Lists[i].Path)
	}
	for i := range c.DKIM.Sign {
		relativeTo(path, &c.DKIM.Sign[i].Key)
	}
	relativeTo(path, &c.ARCSeal.Key.Key)
	for _, p := range []*string{&c.Admin.TokenFile, &c.Admin.TLSCert, &c.Admin.TLSKey, &c.Archive.SpoolDir} {
		relativeTo(path, p)
	}
	for i := range c.Admin.Tokens {
		relativeTo(path, &c.Admin.Tokens[i].File)
	}
	stores := []*string{&c.Decree.Registry, &c.Archive.Store, &c.Counters.Store, &c.DMARCReportStore}
	if c.Bayes.Store != "memory" {
		stores = append(stores, &c.Bayes.Store)
	}
	for _, p := range stores {
		if !dsn.Is(*p) && !dsn.IsRedis(*p) {
			relativeTo(path, p)
		}
	}
	return c, nil
}

// relativeTo makes a relative file name *p relative to the directory of
// the config file at path, as an admin reading the file expects.
func relativeTo(path string, p *string) {
	if *p != "" && !filepath.IsAbs(*p) {
		*p = filepath.Join(filepath.Dir(path), *p)
	}
}

// maxFileSize bounds a config file (1 MiB): parsing is in memory.
const maxFileSize = 1 << 20
