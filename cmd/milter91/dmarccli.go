package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"milter91/internal/dmarc"
	"milter91/internal/dmarcreport"
	"milter91/internal/dmarcstore"
)

const dmarcUsage = `usage: milter91 dmarc report [--config FILE] [--db FILE|URL] --since WHEN [--until WHEN]
         --org-name NAME --email ADDR [--out-dir DIR | --sendmail CMD] [--dns HOST:PORT]...
`

// dmarcFlags are the flags of `milter91 dmarc report`.
type dmarcFlags struct {
	archiveFlags
	common
	orgName, email, outDir, sendmail string
}

// cmdDMARC runs `milter91 dmarc report`: the aggregate reports (RFC 9990)
// of the period from dmarc.report_store, one per policy domain, sent to
// the verified rua destinations through the local MTA (--sendmail,
// default "/usr/sbin/sendmail -t -i") or written as gzip files into
// --out-dir. Exit 0 when every report went out (or there was none), 1 on
// a failure, 2 on usage errors.
func cmdDMARC(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	if len(args) == 0 || args[0] != "report" {
		fmt.Fprint(stderr, dmarcUsage)
		return 2
	}
	var f dmarcFlags
	fs := newFlagSet("dmarc report", stderr, &f.common)
	fs.StringVar(&f.db, "db", "", "report store (default: dmarc.report_store of the config)")
	fs.StringVar(&f.since, "since", "", "start of the period (required), inclusive")
	fs.StringVar(&f.until, "until", "", "end of the period, exclusive (default: now)")
	fs.StringVar(&f.orgName, "org-name", "", "the reporting organization (report_metadata org_name)")
	fs.StringVar(&f.email, "email", "", "the reporter's address: report_metadata email and the From of the reports")
	fs.StringVar(&f.outDir, "out-dir", "", "write the reports as files into DIR instead of sending them")
	fs.StringVar(&f.sendmail, "sendmail", "/usr/sbin/sendmail -t -i", "command that sends a message read on its standard input")
	if err := parseFlags(fs, args[1:]); err != nil || fs.NArg() > 0 || f.orgName == "" || f.email == "" {
		fmt.Fprint(stderr, dmarcUsage)
		return 2
	}
	since, until, err := f.span(now())
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 2
	}
	if err := f.report(context.Background(), since, until, stdout, now()); err != nil {
		fmt.Fprintf(stderr, "milter91 dmarc report: %v\n", err)
		return 1
	}
	return 0
}

// report builds and delivers the period's reports.
func (f *dmarcFlags) report(ctx context.Context, since, until time.Time, stdout io.Writer, now time.Time) error {
	cfg, err := f.loadConfig()
	if err != nil {
		return err
	}
	target := f.db
	if target == "" {
		target = cfg.DMARCReportStore
	}
	if target == "" {
		return errors.New("no report store: give --db, or --config with dmarc.report_store set")
	}
	store, err := dmarcstore.Open(ctx, target)
	if err != nil {
		return err
	}
	defer store.Close()
	stored, err := store.Entries(ctx, since, until)
	if err != nil {
		return err
	}
	res, err := newResolver(cfg)
	if err != nil {
		return err
	}
	checker := &dmarc.Checker{R: res}
	rua := map[string][]string{}
	entries := make([]dmarcreport.Entry, len(stored))
	for i, s := range stored {
		entries[i] = s.Entry
		rua[strings.ToLower(s.Entry.Policy.Domain)] = s.RUA // the last seen, as Build's policy_published
	}
	receiver := cfg.AuthservID
	meta := dmarcreport.Meta{OrgName: f.orgName, Email: f.email, Generator: "milter91 " + version, Receiver: receiver, Begin: since, End: until}
	var errs []error
	for _, fb := range dmarcreport.Build(meta, entries) {
		if err := f.deliver(ctx, checker, fb, rua[fb.Published.Domain], receiver, stdout, now); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", fb.Published.Domain, err))
		}
	}
	return errors.Join(errs...)
}

// deliver writes fb into --out-dir, or sends it to the verified mailto
// destinations of rua (RFC 9990 §4: an external destination must
// confirm with its _report._dmarc record).
func (f *dmarcFlags) deliver(ctx context.Context, c *dmarc.Checker, fb *dmarcreport.Feedback, rua []string, receiver string, stdout io.Writer, now time.Time) error {
	var gz bytes.Buffer
	if err := dmarcreport.Write(&gz, fb); err != nil {
		return err
	}
	name := dmarcreport.Filename(receiver, fb, "")
	if f.outDir != "" {
		path := filepath.Join(f.outDir, name)
		if err := os.WriteFile(path, gz.Bytes(), 0o640); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d records written to %s\n", fb.Published.Domain, len(fb.Records), path)
		return nil
	}
	dests, err := c.Destinations(ctx, fb.Published.Domain, &dmarc.Record{RUA: rua})
	if err != nil {
		return fmt.Errorf("checking the report destinations (retry later): %w", err)
	}
	var to []string
	for _, d := range dests {
		addr, err := dmarc.MailtoAddress(d.URI)
		if !d.Allowed || err != nil {
			fmt.Fprintf(stdout, "%s: not sending to %s: %s\n", fb.Published.Domain, d.URI, d.Detail)
			continue
		}
		to = append(to, addr)
	}
	if len(to) == 0 {
		fmt.Fprintf(stdout, "%s: no verified destination, no report\n", fb.Published.Domain)
		return nil
	}
	msg := dmarcreport.Message(f.email, to, dmarcreport.Subject(receiver, fb), name, gz.Bytes(), now)
	if err := dmarcreport.Sendmail(ctx, f.sendmail, msg); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d records sent to %s\n", fb.Published.Domain, len(fb.Records), strings.Join(to, ", "))
	return nil
}
