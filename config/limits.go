package config

import "time"

// Limits bound what one MTA connection and one message may cost the
// daemon; see milter.Options for what the MTA and the sender see when a
// limit is hit.
type Limits struct {
	// MilterConnections caps the milter connections open at once per
	// listen address (one per SMTP session).
	MilterConnections int
	// MilterIdleTimeout closes a milter connection without a packet for
	// this long; it must exceed Postfix's smtpd_timeout (300 s).
	MilterIdleTimeout time.Duration
	// HeaderBytes and HeaderFields bound one message's header block;
	// past either it is rejected with 552 5.3.4.
	HeaderBytes  int64
	HeaderFields int
}

type rawLimits struct {
	MilterConnections number `yaml:"milter_connections"`
	MilterIdleTimeout string `yaml:"milter_idle_timeout"`
	HeaderBytes       string `yaml:"header_bytes"`
	HeaderFields      number `yaml:"header_fields"`
}

// Ranges of the limits: below them legitimate mail or sessions would be
// refused (Postfix passes header fields of up to 100 KiB), above them a
// limit no longer bounds anything.
const (
	minIdleTimeout, maxIdleTimeout   = 10 * time.Second, 24 * time.Hour
	minHeaderBytes, maxHeaderBytes   = 64 << 10, 64 << 20
	minHeaderFields, maxHeaderFields = 100, 100_000
	maxMilterConnections             = 1_000_000
)

func (v *validator) limits(c *Config, r *rawLimits) {
	c.Limits = Limits{
		MilterConnections: v.count("$.limits.milter_connections", r.MilterConnections, 1, maxMilterConnections),
		MilterIdleTimeout: v.duration("$.limits.milter_idle_timeout", r.MilterIdleTimeout, minIdleTimeout, maxIdleTimeout),
		HeaderBytes:       v.size("$.limits.header_bytes", r.HeaderBytes, minHeaderBytes, maxHeaderBytes),
		HeaderFields:      v.count("$.limits.header_fields", r.HeaderFields, minHeaderFields, maxHeaderFields),
	}
}
