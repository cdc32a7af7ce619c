package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"milter91/internal/admin"
	"milter91/internal/archive"
	"milter91/internal/dsn"
	"milter91/internal/report"
	"milter91/internal/spamreport"
)

const headersUsage = `usage:
  milter91 headers search [--config FILE | --db FILE|URL] --since WHEN [--until WHEN]
                          [--from ADDR] [--rcpt ADDR] [--message-id ID] [--client-ip IP]
                          [--limit N] [--json]
WHEN is RFC 3339 (2026-01-02T15:04:05+07:00) or a UTC date YYYY-MM-DD (--until includes that day).
`

const reportUsage = `usage:
  milter91 report [--config FILE | --db FILE|URL] --since WHEN [--until WHEN]
                  [--format csv|json|html] [--top N] [--out FILE]
`

// archiveFlags are the flags of the archive subcommands.
type archiveFlags struct {
	db, configPath string
	since, until   string
}

func newArchiveFlagSet(name string, stderr io.Writer, f *archiveFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.db, "db", "", "archive file or postgres:// URL (default: archive.store of the config)")
	fs.StringVar(&f.configPath, "config", "", "daemon config file whose archive.store is the default --db")
	fs.StringVar(&f.since, "since", "", "start of the period (required), inclusive")
	fs.StringVar(&f.until, "until", "", "end of the period, exclusive for a time, inclusive for a date (default: now)")
	return fs
}

// open opens the archive named by --db or the config; a missing file is
// an error, not a new empty archive.
func (f *archiveFlags) open(ctx context.Context) (*archive.Store, error) {
	target := f.db
	if target == "" {
		cfg, err := (&common{configPath: f.configPath}).loadConfig()
		if err != nil {
			return nil, err
		}
		if target = cfg.Archive.Store; target == "" {
			return nil, errors.New("no archive: give --db, or --config with archive.store set")
		}
	}
	if !dsn.Is(target) {
		if err := isSQLiteFile(target); err != nil {
			return nil, fmt.Errorf("archive %s: %w", target, err)
		}
	}
	return archive.OpenExisting(ctx, target)
}

// openUserReports opens the users' spam reports of --config's registry
// for the report (nil with --db alone, or without a registry); a
// registry file that does not exist is an error, not a new one.
func (f *archiveFlags) openUserReports() (*spamreport.Store, error) {
	if f.configPath == "" {
		return nil, nil
	}
	cfg, err := (&common{configPath: f.configPath}).loadConfig()
	if err != nil {
		return nil, err
	}
	if reg := cfg.Decree.Registry; cfg.Decree.Enabled && reg != "" && !dsn.Is(reg) {
		if err := isSQLiteFile(reg); err != nil {
			return nil, fmt.Errorf("registry %s: %w", reg, err)
		}
	}
	return openReports(cfg)
}

// isSQLiteFile checks the 16-byte SQLite header (sqlite.org/fileformat.html
// §1.3.1) before the file is opened, because opening one creates or
// converts it.
func isSQLiteFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 16)
	if _, err := io.ReadFull(f, head); err != nil || string(head) != "SQLite format 3\x00" {
		return errors.New("not a milter91 archive (not a SQLite database)")
	}
	return nil
}

// span parses --since (required) and --until (default now).
func (f *archiveFlags) span(now time.Time) (since, until time.Time, err error) {
	if f.since == "" {
		return since, until, errors.New("--since is required")
	}
	if since, err = admin.ParseWhen("--since", f.since, false); err != nil {
		return since, until, err
	}
	if until, err = admin.ParseWhen("--until", f.until, true); err != nil {
		return since, until, err
	}
	if until.IsZero() {
		until = now
	}
	if !since.Before(until) {
		return since, until, fmt.Errorf("--since %s is not before --until %s", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	return since, until, admin.CheckSpan(since, until)
}

// cmdHeaders searches the header archive (Decree 91/2020 Art. 10.6) for
// complaint handling. Exit 0 with results or none, 1 on failure, 2 on
// usage errors.
func cmdHeaders(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	if len(args) == 0 || args[0] != "search" {
		fmt.Fprint(stderr, headersUsage)
		return 2
	}
	var f archiveFlags
	var q archive.Query
	fs := newArchiveFlagSet("headers search", stderr, &f)
	fs.StringVar(&q.From, "from", "", "From address of the header")
	fs.StringVar(&q.Rcpt, "rcpt", "", "envelope recipient")
	fs.StringVar(&q.MessageID, "message-id", "", "Message-ID, with or without <>")
	fs.StringVar(&q.ClientIP, "client-ip", "", "SMTP client address")
	fs.IntVar(&q.Limit, "limit", 100, "most records, newest first")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if err := parseFlags(fs, args[1:]); err != nil || fs.NArg() > 0 {
		fmt.Fprint(stderr, headersUsage)
		return 2
	}
	err := emptyFilter(fs)
	if err == nil && (q.Limit < 1 || q.Limit > archive.MaxLimit) {
		err = fmt.Errorf("--limit %d: want 1..%d", q.Limit, archive.MaxLimit)
	}
	if err == nil && q.ClientIP != "" {
		_, err = netip.ParseAddr(q.ClientIP)
	}
	if err == nil {
		q.Since, q.Until, err = f.span(now())
	}
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 2
	}
	ctx := context.Background()
	store, err := f.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 1
	}
	defer store.Close()
	recs, err := store.Search(ctx, q)
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range recs {
			enc.Encode(r)
		}
		return 0
	}
	for _, r := range recs {
		writeRecord(stdout, r)
	}
	fmt.Fprintf(stderr, "%d record(s)\n", len(recs))
	return 0
}

// emptyFilter refuses a filter flag given as "": it would match every
// record rather than none.
func emptyFilter(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "from", "rcpt", "message-id", "client-ip":
			v := fl.Value.String()
			if strings.Trim(v, "<> \t") == "" && err == nil {
				err = fmt.Errorf("--%s %q is empty once angle brackets and blanks are removed: leave it out to not filter by it", fl.Name, v)
			}
		}
	})
	return err
}

// writeRecord prints one archived message: a summary line, the envelope
// and verdict, then the header block as delivered.
// Everything from mail is printed through printable, so that a header
// cannot drive the terminal (escape sequences) or forge a record line.
func writeRecord(w io.Writer, r archive.Record) {
	r.ClientName, r.HELO, r.MailFrom, r.Reply = printable(r.ClientName), printable(r.HELO), printable(r.MailFrom), printable(r.Reply)
	r.QueueID, r.Advertiser = printable(r.QueueID), printable(r.Advertiser)
	for i := range r.Rcpts {
		r.Rcpts[i] = printable(r.Rcpts[i])
	}
	r.Header = printable(strings.ReplaceAll(r.Header, "\r\n", "\n"))
	fmt.Fprintf(w, "=== %s %s %s client=%s [%s] helo=%s\n", r.Time.Format(time.RFC3339), queueOr(r.QueueID),
		r.Action, r.ClientName, r.ClientIP, r.HELO)
	fmt.Fprintf(w, "envelope: from=<%s> to=<%s>\n", r.MailFrom, strings.Join(r.Rcpts, ">,<"))
	fmt.Fprintf(w, "verdict: score=%.1f rules=%s", r.Score, strings.Join(r.Rules, ","))
	if r.Reply != "" {
		fmt.Fprintf(w, " reply=%q", r.Reply)
	}
	if r.Advertiser != "" {
		fmt.Fprintf(w, " advertiser=%s", r.Advertiser)
	}
	if r.Stage == archive.StageRCPT {
		fmt.Fprint(w, " stage=rcpt (refused before DATA)")
	}
	fmt.Fprintln(w)
	if r.Header != "" {
		fmt.Fprintf(w, "%s\n", r.Header)
	}
	fmt.Fprintln(w)
}

// printable escapes control characters (C0 but tab and line feed, DEL,
// C1) and invalid UTF-8 as \xNN.
func printable(s string) string {
	clean := func(r rune) bool {
		return r != utf8.RuneError && (r >= 0x20 || r == '\t' || r == '\n') && (r < 0x7f || r > 0x9f)
	}
	if strings.IndexFunc(s, func(r rune) bool { return !clean(r) }) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if clean(r) {
			b.WriteString(s[i : i+size])
		} else {
			for _, c := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, "\\x%02x", c)
			}
		}
		i += size
	}
	return b.String()
}

func queueOr(qid string) string {
	if qid == "" {
		return "NOQUEUE"
	}
	return qid
}

// cmdReport writes the statistics report of Decree 91/2020 Art. 10.7 from
// the archive's daily counts. Exit 0, 1 on failure, 2 on usage errors.
func cmdReport(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	var f archiveFlags
	fs := newArchiveFlagSet("report", stderr, &f)
	format := fs.String("format", "html", "csv, json or html")
	top := fs.Int("top", report.DefaultTop, "how many blocked client IPs and advertisers to list")
	out := fs.String("out", "-", "output file, - for standard output")
	if err := parseFlags(fs, args); err != nil || fs.NArg() > 0 {
		fmt.Fprint(stderr, reportUsage)
		return 2
	}
	since, until, err := f.span(now())
	if err == nil {
		err = report.CheckPeriod(since, until)
	}
	if err == nil {
		_, err = report.ParseFormat(*format)
	}
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 2
	}
	ctx := context.Background()
	store, err := f.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 1
	}
	defer store.Close()
	users, err := f.openUserReports()
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 1
	}
	if users != nil {
		defer users.Close()
	}
	if err := writeReportTo(ctx, store, users, *out, stdout, since, until, *format, *top); err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 1
	}
	return 0
}

// writeReportTo writes the report to path ("-": w); a file is written
// whole or not at all (temporary file, then rename).
func writeReportTo(ctx context.Context, store *archive.Store, users *spamreport.Store, path string, w io.Writer, since, until time.Time, format string, top int) error {
	r, err := buildReport(ctx, store, since, until, top)
	if err == nil {
		err = addUserReports(ctx, &r, users)
	}
	if err != nil {
		return err
	}
	f, _ := report.ParseFormat(format)
	if path == "-" {
		return report.Write(w, r, f)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".milter91-report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := report.Write(tmp, r, f); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
