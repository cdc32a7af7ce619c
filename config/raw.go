package config

import (
	"strings"

	"milter91/internal/dkimsign"
)

// raw mirrors the YAML file; strings for durations, sizes and modes are
// validated into Config by validate.
type raw struct {
	Listen            stringList     `yaml:"listen"`
	SocketMode        octalText      `yaml:"socket_mode"`
	SocketGroup       string         `yaml:"socket_group"`
	AuthservID        string         `yaml:"authserv_id"`
	FailMode          string         `yaml:"fail_mode"`
	Mode              string         `yaml:"mode"`
	TrustedNetworks   []string       `yaml:"trusted_networks"`
	Modes             rawModes       `yaml:"modes"`
	MessageDeadline   string         `yaml:"message_deadline"`
	ShutdownGrace     string         `yaml:"shutdown_grace"`
	SkipAuthenticated *bool          `yaml:"skip_authenticated"`
	SpoolThreshold    string         `yaml:"spool_threshold"`
	SpoolDir          string         `yaml:"spool_dir"`
	MetricsListen     string         `yaml:"metrics_listen"`
	MetricsRemote     bool           `yaml:"metrics_allow_remote"`
	Limits            rawLimits      `yaml:"limits"`
	DNS               rawDNS         `yaml:"dns"`
	DKIM              rawDKIM        `yaml:"dkim"`
	DMARC             rawDMARC       `yaml:"dmarc"`
	ARC               rawARC         `yaml:"arc"`
	DNSBL             rawDNSBL       `yaml:"dnsbl"`
	Lists             []rawList      `yaml:"lists"`
	Rules             rawRules       `yaml:"rules"`
	Tag               rawTag         `yaml:"tag"`
	Quarantine        rawQuarantine  `yaml:"quarantine"`
	Log               rawLog         `yaml:"log"`
	Decree            rawDecree      `yaml:"decree91"`
	Archive           rawArchive     `yaml:"archive"`
	Bayes             rawBayes       `yaml:"bayes"`
	ContentFacts      bool           `yaml:"content_facts"`
	Admin             rawAdmin       `yaml:"admin"`
	Reports           rawReports     `yaml:"reports"`
	Counters          rawCounters    `yaml:"counters"`
	RateLimits        []rawRateLimit `yaml:"rate_limits"`
}

type rawDecree struct {
	Enabled               *bool    `yaml:"enabled"`
	Registry              string   `yaml:"registry"`
	DefaultDirection      string   `yaml:"default_direction"`
	LocalDirection        string   `yaml:"local_direction"`
	OutboundAuthenticated *bool    `yaml:"outbound_authenticated"`
	OutboundListeners     []string `yaml:"outbound_listeners"`
	OutboundDaemonNames   []string `yaml:"outbound_daemon_names"`
	Labels                []string `yaml:"labels"`
	MaxPer24h             number   `yaml:"max_per_24h"`
	MultiRecipient        string   `yaml:"multi_recipient"`
	Retention             string   `yaml:"retention"`
	ProductHeaders        []string `yaml:"product_headers"`
	SharedMailboxDomains  []string `yaml:"shared_mailbox_domains"`
	ConsentPolicy         string   `yaml:"consent_policy"`
	AdEnvelopeSenders     []string `yaml:"ad_envelope_senders"`
	InboundScope          string   `yaml:"inbound_scope"`
}

type rawDNS struct {
	Servers    []string `yaml:"servers"`
	Timeout    string   `yaml:"timeout"`
	Retries    number   `yaml:"retries"`
	CacheSize  number   `yaml:"cache_size"`
	CacheBytes string   `yaml:"cache_bytes"`
}

type rawDKIM struct {
	MaxSignatures number              `yaml:"max_signatures"`
	Sign          []dkimsign.KeySpec  `yaml:"sign"`
	SignUsers     map[string][]string `yaml:"sign_users"`
	SignExpire    string              `yaml:"sign_expire"`
}

type rawARC struct {
	Seal rawARCSeal `yaml:"seal"`
}

type rawARCSeal struct {
	Enabled  bool   `yaml:"enabled"`
	Domain   string `yaml:"domain"`
	Selector string `yaml:"selector"`
	Key      string `yaml:"key"`
}

type rawDMARC struct {
	Discovery      string            `yaml:"discovery"`
	ReportStore    string            `yaml:"report_store"`
	FailureReports rawFailureReports `yaml:"failure_reports"`
}

type rawFailureReports struct {
	Enabled       bool   `yaml:"enabled"`
	From          string `yaml:"from"`
	Sendmail      string `yaml:"sendmail"`
	Redact        bool   `yaml:"redact"`
	PerDomainHour number `yaml:"per_domain_hour"`
	Queue         number `yaml:"queue"`
}

type rawDNSBL struct {
	PauseAfterBlocked string    `yaml:"pause_after_blocked"`
	HealthInterval    string    `yaml:"health_interval"`
	MaxBodyDomains    number    `yaml:"max_body_domains"`
	MaxQueries        number    `yaml:"max_queries"`
	Zones             []rawZone `yaml:"zones"`
}

type rawList struct {
	Name    string   `yaml:"name"`
	Path    string   `yaml:"path"`
	Kind    string   `yaml:"kind"`
	Sources []string `yaml:"sources"`
	Early   string   `yaml:"early"`
}

type rawZone struct {
	Name       string    `yaml:"name"`
	Type       string    `yaml:"type"`
	Sources    []string  `yaml:"sources"`
	FullName   bool      `yaml:"full_name"`
	SkipHealth bool      `yaml:"skip_health"`
	Early      string    `yaml:"early"`
	Secret     bool      `yaml:"secret"`
	IPv6       bool      `yaml:"ipv6"`
	Timeout    string    `yaml:"timeout"`
	Codes      []rawCode `yaml:"codes"`
	ErrorCodes []string  `yaml:"error_codes"`
}

type rawCode struct {
	Tag     string `yaml:"tag"`
	Match   string `yaml:"match"`
	Bitmask number `yaml:"bitmask"`
	Early   string `yaml:"early"`
}

type rawRules struct {
	Defaults *bool    `yaml:"defaults"`
	Paths    []string `yaml:"paths"`
}

type rawTag struct {
	SubjectPrefix string `yaml:"subject_prefix"`
}

type rawLog struct {
	Format string `yaml:"format"`
	Level  string `yaml:"level"`
}

// stringList accepts a scalar or a sequence of strings.
type stringList []string

// UnmarshalYAML implements yaml.InterfaceUnmarshaler.
func (s *stringList) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return err
	}
	*s = many
	return nil
}

// octalText keeps a file mode as written: YAML reads an unquoted 0660 as
// the integer 432, which would be mistaken for the mode 0432.
type octalText string

// UnmarshalYAML implements yaml.BytesUnmarshaler with the node's source text.
func (o *octalText) UnmarshalYAML(b []byte) error {
	*o = octalText(strings.Trim(strings.TrimSpace(string(b)), `"'`))
	return nil
}
