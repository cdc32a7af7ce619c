package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"milter91/internal/registry"
)

const consentUsage = `usage:
  milter91 consent add    [--db PATH] --advertiser DOMAIN --rcpt ADDR --method form|call_sms|software
                          [--evidence TEXT] [--max-per-day N] [--time RFC3339]
  milter91 consent revoke [--db PATH] --advertiser DOMAIN --rcpt ADDR
  milter91 consent list   [--db PATH] [--advertiser DOMAIN] [--rcpt ADDR] [--csv]
  milter91 consent import [--db PATH] FILE|-
  milter91 consent export [--db PATH] [FILE|-]
(every subcommand also takes --config FILE, whose decree91.registry is the default --db)
`

// cmdConsent manages Decree 91/2020 consents (Art. 11.2) in the registry.
// Exit 0 on success, 1 on failure, 2 on usage errors.
func cmdConsent(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runConsent(context.Background(), args, cliEnv{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now})
}

func runConsent(ctx context.Context, args []string, env cliEnv) int {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, consentUsage)
		return 2
	}
	switch args[0] {
	case "add":
		return consentAdd(ctx, args[1:], env)
	case "revoke":
		return consentRevoke(ctx, args[1:], env)
	case "list":
		return consentList(ctx, args[1:], env)
	case "import":
		return runImport(ctx, "consent import", args[1:], env, func(s *registry.Store, r io.Reader, now time.Time) (int, error) {
			return s.ImportConsents(ctx, r, now)
		})
	case "export":
		return runExport(ctx, "consent export", args[1:], env, func(s *registry.Store, w io.Writer) error {
			return s.ExportConsents(ctx, w)
		})
	}
	fmt.Fprintf(env.stderr, "milter91 consent: unknown subcommand %q\n%s", args[0], consentUsage)
	return 2
}

// consentAdd records a consent and prints the stored record; --time
// defaults to now, and the record's last use starts now (Art. 11.7
// retention counts from it).
func consentAdd(ctx context.Context, args []string, env cliEnv) int {
	var f registryFlags
	var c registry.Consent
	var at string
	fs := newRegistryFlagSet("consent add", env, &f)
	fs.StringVar(&c.Advertiser, "advertiser", "", "advertiser id: organizational domain (required)")
	fs.StringVar(&c.Recipient, "rcpt", "", "recipient address (required)")
	fs.StringVar(&c.Method, "method", "", "form, call_sms or software, Art. 11.2 b-d (required)")
	fs.StringVar(&c.Evidence, "evidence", "", "proof of consent: free text or URL")
	fs.IntVar(&c.MaxPerDay, "max-per-day", 0, "agreed maximum of ads per 24 h (default: 3, Art. 13.5)")
	fs.StringVar(&at, "time", "", "when consent was given, RFC 3339 (default: now)")
	if err := parseFlags(fs, args); err != nil || fs.NArg() > 0 || c.Advertiser == "" || c.Recipient == "" || c.Method == "" {
		fmt.Fprint(env.stderr, consentUsage)
		return 2
	}
	now := env.now()
	var err error
	if c.Time, err = parseTimeFlag(at, now); err != nil {
		fmt.Fprintf(env.stderr, "milter91 consent add: %v\n", err)
		return 2
	}
	c.LastUsedAt = now
	s, err := f.open(ctx, true)
	if err != nil {
		return failRegistry(env, "consent add", err)
	}
	defer s.Close()
	if _, err := s.AddConsent(ctx, c); err != nil {
		return failRegistry(env, "consent add", err)
	}
	// Show the stored record: an older consent than the one on file is
	// ignored, and the operator must see that.
	err = consentTable(env.stdout, func(fn func(registry.Consent) error) error {
		return s.EachConsent(ctx, registry.Filter{Advertiser: c.Advertiser, Recipient: c.Recipient}, fn)
	})
	if err != nil {
		return failRegistry(env, "consent add", err)
	}
	return 0
}

// consentRevoke withdraws an active consent now; none to revoke is a
// failure (exit 1), so that a typo does not pass unnoticed.
func consentRevoke(ctx context.Context, args []string, env cliEnv) int {
	var f registryFlags
	var advertiser, rcpt string
	fs := newRegistryFlagSet("consent revoke", env, &f)
	fs.StringVar(&advertiser, "advertiser", "", "advertiser id (required)")
	fs.StringVar(&rcpt, "rcpt", "", "recipient address (required)")
	if err := parseFlags(fs, args); err != nil || fs.NArg() > 0 || advertiser == "" || rcpt == "" {
		fmt.Fprint(env.stderr, consentUsage)
		return 2
	}
	s, err := f.open(ctx, false)
	if err != nil {
		return failRegistry(env, "consent revoke", err)
	}
	defer s.Close()
	ok, err := s.RevokeConsent(ctx, advertiser, rcpt, env.now())
	if err != nil {
		return failRegistry(env, "consent revoke", err)
	}
	if !ok {
		return failRegistry(env, "consent revoke", fmt.Errorf("no active consent of %s for %s", rcpt, advertiser))
	}
	fmt.Fprintf(env.stdout, "consent revoked: %s %s\n", advertiser, rcpt)
	return 0
}

// consentList prints the matching consents as a table, or with --csv in
// the export format.
func consentList(ctx context.Context, args []string, env cliEnv) int {
	var f registryFlags
	var filter registry.Filter
	fs := newRegistryFlagSet("consent list", env, &f)
	fs.StringVar(&filter.Advertiser, "advertiser", "", "only this advertiser")
	fs.StringVar(&filter.Recipient, "rcpt", "", "only this recipient")
	asCSV := fs.Bool("csv", false, "print CSV (the export format)")
	if err := parseFlags(fs, args); err != nil || fs.NArg() > 0 {
		fmt.Fprint(env.stderr, consentUsage)
		return 2
	}
	s, err := f.open(ctx, false)
	if err != nil {
		return failRegistry(env, "consent list", err)
	}
	defer s.Close()
	each := func(fn func(registry.Consent) error) error { return s.EachConsent(ctx, filter, fn) }
	if *asCSV {
		err = registry.StreamConsents(env.stdout, each)
	} else {
		err = consentTable(env.stdout, each)
	}
	if err != nil {
		return failRegistry(env, "consent list", err)
	}
	return 0
}

// consentTable prints the consents each yields as a table; the rows are
// streamed in blocks of tableBlock, each aligned on its own.
func consentTable(w io.Writer, each func(func(registry.Consent) error) error) error {
	const head = "ADVERTISER\tRECIPIENT\tMETHOD\tTIME\tMAX/24H\tREVOKED\tLAST USED\tEVIDENCE"
	return streamTable(w, head, func(row func(...string)) error {
		return each(func(c registry.Consent) error {
			maxPerDay := "-"
			if c.MaxPerDay > 0 {
				maxPerDay = strconv.Itoa(c.MaxPerDay)
			}
			row(c.Advertiser, c.Recipient, c.Method, tableTime(c.Time), maxPerDay, tableTime(c.RevokedAt),
				tableTime(c.LastUsedAt), oneLine(c.Evidence))
			return nil
		})
	})
}
