package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"milter91/internal/registry"
)

const refusalUsage = `usage:
  milter91 refusal add    [--db PATH] --advertiser DOMAIN --rcpt ADDR --channel web|email|phone|api|captured
                          [--scope all|PRODUCT] [--evidence TEXT] [--time RFC3339]
  milter91 refusal list   [--db PATH] [--advertiser DOMAIN] [--rcpt ADDR] [--csv]
  milter91 refusal import [--db PATH] FILE|-
  milter91 refusal export [--db PATH] [FILE|-]
(every subcommand also takes --config FILE, whose decree91.registry is the default --db)
`

// cmdRefusal manages Decree 91/2020 refusals (Art. 13.4, 20) in the
// registry. Exit 0 on success, 1 on failure, 2 on usage errors.
func cmdRefusal(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runRefusal(context.Background(), args, cliEnv{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now})
}

func runRefusal(ctx context.Context, args []string, env cliEnv) int {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, refusalUsage)
		return 2
	}
	switch args[0] {
	case "add":
		return refusalAdd(ctx, args[1:], env)
	case "list":
		return refusalList(ctx, args[1:], env)
	case "import":
		return runImport(ctx, "refusal import", args[1:], env, func(s *registry.Store, r io.Reader, now time.Time) (int, error) {
			return s.ImportRefusals(ctx, r, now)
		})
	case "export":
		return runExport(ctx, "refusal export", args[1:], env, func(s *registry.Store, w io.Writer) error {
			return s.ExportRefusals(ctx, w)
		})
	}
	fmt.Fprintf(env.stderr, "milter91 refusal: unknown subcommand %q\n%s", args[0], refusalUsage)
	return 2
}

// refusalAdd records a refusal, in effect at once (Art. 20.3), and prints
// the recipient's refusals of that advertiser; --time defaults to now and
// the record's last use starts now.
func refusalAdd(ctx context.Context, args []string, env cliEnv) int {
	var f registryFlags
	var r registry.Refusal
	var at string
	fs := newRegistryFlagSet("refusal add", env, &f)
	fs.StringVar(&r.Advertiser, "advertiser", "", "advertiser id: organizational domain (required)")
	fs.StringVar(&r.Recipient, "rcpt", "", "refusing recipient address (required)")
	fs.StringVar(&r.Channel, "channel", "", "how the refusal arrived: web, email, phone, api or captured (required)")
	fs.StringVar(&r.Scope, "scope", registry.ScopeAll, "all, or one product/group id (e.g. the List-Id id), Art. 13.4")
	fs.StringVar(&r.Evidence, "evidence", "", "proof of the refusal: free text or URL")
	fs.StringVar(&at, "time", "", "when the refusal was received, RFC 3339 (default: now)")
	if err := parseFlags(fs, args); err != nil || fs.NArg() > 0 || r.Advertiser == "" || r.Recipient == "" || r.Channel == "" {
		fmt.Fprint(env.stderr, refusalUsage)
		return 2
	}
	now := env.now()
	var err error
	if r.Time, err = parseTimeFlag(at, now); err != nil {
		fmt.Fprintf(env.stderr, "milter91 refusal add: %v\n", err)
		return 2
	}
	r.LastUsedAt = now
	s, err := f.open(ctx, true)
	if err != nil {
		return failRegistry(env, "refusal add", err)
	}
	defer s.Close()
	if err := s.AddRefusal(ctx, r); err != nil {
		return failRegistry(env, "refusal add", err)
	}
	err = refusalTable(env.stdout, func(fn func(registry.Refusal) error) error {
		return s.EachRefusal(ctx, registry.Filter{Advertiser: r.Advertiser, Recipient: r.Recipient}, fn)
	})
	if err != nil {
		return failRegistry(env, "refusal add", err)
	}
	return 0
}

// refusalList prints the matching refusals as a table, or with --csv in
// the export format.
func refusalList(ctx context.Context, args []string, env cliEnv) int {
	var f registryFlags
	var filter registry.Filter
	fs := newRegistryFlagSet("refusal list", env, &f)
	fs.StringVar(&filter.Advertiser, "advertiser", "", "only this advertiser")
	fs.StringVar(&filter.Recipient, "rcpt", "", "only this recipient")
	asCSV := fs.Bool("csv", false, "print CSV (the export format)")
	if err := parseFlags(fs, args); err != nil || fs.NArg() > 0 {
		fmt.Fprint(env.stderr, refusalUsage)
		return 2
	}
	s, err := f.open(ctx, false)
	if err != nil {
		return failRegistry(env, "refusal list", err)
	}
	defer s.Close()
	each := func(fn func(registry.Refusal) error) error { return s.EachRefusal(ctx, filter, fn) }
	if *asCSV {
		err = registry.StreamRefusals(env.stdout, each)
	} else {
		err = refusalTable(env.stdout, each)
	}
	if err != nil {
		return failRegistry(env, "refusal list", err)
	}
	return 0
}

// refusalTable prints the refusals each yields as a table, streamed like
// consentTable.
func refusalTable(w io.Writer, each func(func(registry.Refusal) error) error) error {
	const head = "ADVERTISER\tRECIPIENT\tSCOPE\tTIME\tCHANNEL\tLAST USED\tEVIDENCE"
	return streamTable(w, head, func(row func(...string)) error {
		return each(func(r registry.Refusal) error {
			row(r.Advertiser, r.Recipient, r.Scope, tableTime(r.Time), r.Channel, tableTime(r.LastUsedAt), oneLine(r.Evidence))
			return nil
		})
	})
}
