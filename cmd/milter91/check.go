package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"

	"milter91/config"
	"milter91/internal/engine"
	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
	"milter91/internal/txn"
	"milter91/milter"
)

type checkFlags struct {
	common
	ip, helo, from, authUser string
	direction                string
	rcpts                    multiFlag
	json                     bool
	resolver                 resolverInfo // set by evaluate
	limit                    string       // the header limit the message passed (milter.LimitHeaderBytes, …), set by evaluate
}

// headerLimitReply is what serve answers a message past a header limit
// (the milter session's limit decision).
var headerLimitReply = txn.Reply{Code: 552, Enhanced: "5.3.4", Text: "Message header exceeds fixed limit"}

// headerLimit names the header limit err reports, "" for none.
func headerLimit(err error) string {
	switch {
	case errors.Is(err, mailmsg.ErrHeaderBytes):
		return milter.LimitHeaderBytes
	case errors.Is(err, mailmsg.ErrHeaderFields):
		return milter.LimitHeaderFields
	}
	return ""
}

// readMessage reads the message file at path ("-": stdin) within serve's
// header limits and spool settings.
func (f *checkFlags) readMessage(cfg *config.Config, path string, stdin io.Reader) ([]txn.Header, *txn.Spool, error) {
	in := stdin
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer file.Close()
		in = file
	}
	return txn.ReadMessageLimits(in, cfg.SpoolThreshold, cfg.SpoolDir,
		mailmsg.Limits{Bytes: cfg.Limits.HeaderBytes, Fields: cfg.Limits.HeaderFields})
}

// cmdCheck runs the serve pipeline on one message file, within serve's
// header limits (past them: serve's 552 5.3.4, nothing evaluated). Exit 0
// on any verdict; 1 when the message could not be evaluated (unreadable file,
// bad config, internal fault); 2 on usage errors.
func cmdCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var f checkFlags
	fs := newFlagSet("check", stderr, &f.common)
	fs.StringVar(&f.ip, "ip", "", "SMTP client IP address (required)")
	fs.StringVar(&f.helo, "helo", "", "HELO/EHLO name")
	fs.StringVar(&f.from, "from", "", "envelope sender (MAIL FROM), empty for the null sender")
	fs.Var(&f.rcpts, "rcpt", "envelope recipient, repeatable")
	fs.StringVar(&f.authUser, "auth-user", "", "SASL login name ({auth_authen})")
	fs.StringVar(&f.direction, "direction", "", "Decree 91 direction: inbound or outbound (default: as the config decides)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	ip, err := netip.ParseAddr(f.ip)
	if f.direction != "" && f.direction != txn.DirectionInbound && f.direction != txn.DirectionOutbound {
		fmt.Fprintln(stderr, "milter91 check: --direction must be inbound or outbound")
		return 2
	}
	if err != nil && f.ip != "" {
		fmt.Fprintf(stderr, "milter91 check: --ip %q is not an IP address\n", f.ip)
		return 2
	}
	if err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "milter91 check: need --ip IP and one message FILE (or - for stdin)")
		return 2
	}
	out, evalErr, err := f.evaluate(ip, fs.Arg(0), stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "milter91 check: %v\n", err)
		return 1
	}
	rep := newReport(out, evalErr)
	rep.Resolver, rep.Limit = f.resolver, f.limit
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		rep.writeText(stdout)
	}
	if evalErr != nil {
		return 1
	}
	return 0
}

// evaluate builds the engine from the config and runs it on the message.
// err is a setup failure; evalErr an internal fault during evaluation.
func (f *checkFlags) evaluate(ip netip.Addr, path string, stdin io.Reader, stderr io.Writer) (*txn.Outcome, error, error) {
	cfg, err := f.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	logger := newLogger(cfg, stderr)
	res, err := newResolver(cfg)
	if err != nil {
		return nil, nil, err
	}
	f.resolver = f.resolverOf(cfg, res)
	eng, closeStores, err := f.checkEngine(cfg, res, logger)
	defer closeStores()
	if err != nil {
		return nil, nil, err
	}
	headers, body, err := f.readMessage(cfg, path, stdin)
	if limit := headerLimit(err); limit != "" {
		f.limit = limit
		return &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionReject, Reply: headerLimitReply}}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer body.Close()
	t := &txn.Transaction{
		Conn:     txn.Conn{ClientIP: ip, HELO: f.helo, ClientName: "unknown"},
		QueueID:  "check",
		MailFrom: f.from,
		Rcpts:    f.rcpts,
		AuthUser: f.authUser,
		Headers:  headers,
		Body:     body,
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.MessageDeadline)
	defer cancel()
	out, evalErr := eng.Evaluate(ctx, t)
	if ctx.Err() != nil {
		// serve answers the fail mode when the deadline passes; so does
		// check (the checks stopped there, and Evaluate says so).
		evalErr = fmt.Errorf("message_deadline %s exceeded", cfg.MessageDeadline)
	}
	if evalErr == nil && out.Sign != nil {
		// What serve adds last: the signatures over the header block as
		// delivered (milter.SignEdits).
		out.Edits, evalErr = milter.SignEdits(ctx, headers, out.Edits, out.Sign, body.Reader())
	}
	if evalErr != nil {
		failMode(out, cfg.FailMode)
	}
	return out, evalErr, nil
}

// checkEngine builds serve's engine in dry-run mode (nothing recorded)
// over the registry and the users' block lists of cfg; closeStores closes
// them.
func (f *checkFlags) checkEngine(cfg *config.Config, res resolver.Resolver, logger *slog.Logger) (eng *engine.Engine, closeStores func(), err error) {
	var closers []func() error
	closeStores = func() {
		for _, c := range closers {
			c()
		}
	}
	store, err := openRegistry(cfg)
	if err != nil {
		return nil, closeStores, err
	}
	if store != nil {
		closers = append(closers, store.Close)
	}
	blocks, err := openBlockLists(cfg)
	if err != nil {
		return nil, closeStores, err
	}
	mode := engineMode{dryRun: true, direction: f.direction}
	if blocks != nil {
		closers = append(closers, blocks.Close)
		mode.blocks = blocks
	}
	eng, err = buildEngine(cfg, res, store, logger, nil, mode)
	return eng, closeStores, err
}

// failMode makes out what serve answers on an internal fault
// (milter.failDecision): the fail mode, no edits.
func failMode(out *txn.Outcome, mode txn.Action) {
	out.Verdict.Action, out.Verdict.Reply = mode, txn.Reply{}
	if mode == txn.ActionTempfail {
		out.Verdict.Reply = txn.Reply{Code: 451, Enhanced: "4.7.1", Text: "Service unavailable - try again later"}
	}
	out.Edits = nil
}
