// Package loadgen is milter91's load generator: it plays a corpus of
// messages to a milter over the real milter protocol, as Postfix drives it
// (go-milter's client: connect, HELO, MAIL, RCPT, headers, 64 KiB body
// chunks, end of message, with Postfix's macros), measures throughput,
// latency and the daemon's CPU and memory, and reports them.
//
// It also writes reproducible corpora (messages, a manifest of their SMTP
// envelopes, the DNS records they need), serves those records with the
// project's test DNS server, and runs an accept-everything milter as the
// throughput baseline.
package loadgen

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
)

// ManifestFile and ZonesFile are the names of the corpus index and of its
// DNS records inside a corpus directory.
const (
	ManifestFile = "manifest.json"
	ZonesFile    = "zones.json"
)

// manifestVersion is the format version written and accepted.
const manifestVersion = 1

// Manifest lists a corpus: the messages in the order they are played.
type Manifest struct {
	Version  int     `json:"version"`
	Seed     uint64  `json:"seed"`
	Messages []Entry `json:"messages"`
}

// Entry is one message of a corpus with the SMTP session that carries it.
// Consecutive entries with the same Conn belong to one SMTP session.
type Entry struct {
	// File is the .eml file, relative to the corpus directory.
	File string `json:"file"`
	Conn
	// MailFrom is the envelope sender (RFC 5321 §4.1.1.2), without <>.
	MailFrom string `json:"mail_from"`
	// Rcpts are the envelope recipients, at least one.
	Rcpts []string `json:"rcpts"`
	// EightBit marks a body with 8-bit text: MAIL FROM gets BODY=8BITMIME
	// (RFC 6152).
	EightBit bool `json:"eight_bit,omitempty"`
	// Kind, SPF, DKIM and Listed describe what the generator built, for
	// reading results; the load generator does not use them.
	Kind   string `json:"kind"`
	SPF    string `json:"spf"`
	DKIM   string `json:"dkim"`
	Listed bool   `json:"listed"`
	Size   int    `json:"size"`
}

// Conn is the client side of an SMTP session as Postfix passes it to a
// milter.
type Conn struct {
	// ClientIP is the SMTP client's address (loopback in generated corpora).
	ClientIP string `json:"client_ip"`
	// Helo is the HELO/EHLO argument.
	Helo string `json:"helo"`
	// AuthUser is the SASL login ({auth_authen}); "" when not authenticated.
	AuthUser string `json:"auth_user,omitempty"`
}

// ReadManifest reads and checks DIR/manifest.json. It returns an error for
// unreadable or malformed JSON, another format version, an entry with a
// bad client IP, no recipient, or a file name outside the directory.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("%s: version %d, want %d", path, m.Version, manifestVersion)
	}
	if len(m.Messages) == 0 {
		return nil, fmt.Errorf("%s: no messages", path)
	}
	for i, e := range m.Messages {
		if err := e.check(); err != nil {
			return nil, fmt.Errorf("%s: message %d: %w", path, i, err)
		}
	}
	return &m, nil
}

// check validates the fields the load generator relies on.
func (e *Entry) check() error {
	if !filepath.IsLocal(e.File) {
		return fmt.Errorf("file %q is not a plain name inside the corpus directory", e.File)
	}
	if _, err := netip.ParseAddr(e.ClientIP); err != nil {
		return fmt.Errorf("client_ip: %w", err)
	}
	if e.Helo == "" {
		return errors.New("empty helo")
	}
	if len(e.Rcpts) == 0 {
		return errors.New("no recipient")
	}
	return nil
}

// writeJSON writes v indented to path.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
