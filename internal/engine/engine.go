// Package engine runs one message through the pipeline: checks produce
// facts concurrently, the rules turn facts into a verdict, and the verdict
// becomes header edits and an SMTP reply. It owns no network code of its own:
// the resolver, the blocklist checker and the rule set are injected.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"milter91/dnsbl"
	"milter91/internal/mailmsg"
	"milter91/internal/ratelog"
	"milter91/internal/resolver"
	"milter91/internal/txn"
	"milter91/rules"
)

// Options are the engine's dependencies and settings. All fields except
// Resolver and Rules are optional.
type Options struct {
	Resolver resolver.Resolver
	Rules    *rules.Set
	// DNSBL asks the blocklists about the client address, the message's
	// domains and its link hosts; nil when no zone is configured.
	DNSBL *dnsbl.Checker
	// DNSBLLimits bound the blocklist lookups per message (zero values:
	// the dnsbl defaults).
	DNSBLLimits dnsbl.Limits
	// Lists are the local block and allow lists; nil when none is
	// configured.
	Lists *dnsbl.LocalLists
	// AuthservID names this host in Authentication-Results (RFC 8601 §2.5).
	AuthservID string
	// MaxDKIM caps verified DKIM signatures (default 5).
	MaxDKIM int
	// SkipAuthenticated accepts mail with {auth_authen} set without checks.
	SkipAuthenticated bool
	// SubjectPrefix is prepended to the Subject of tagged mail; "" is off.
	SubjectPrefix string
	// PrefetchTimeout bounds lookups started by Prefetch (default 10 s).
	PrefetchTimeout time.Duration
	Logger          *slog.Logger
	// Decree configures the Decree 91/2020 stage; zero turns it off.
	Decree DecreeOptions
}

// Engine evaluates messages. It is safe for concurrent use; a reload builds
// a new Engine.
type Engine struct {
	opt Options
	// storeLog rate-limits the registry's failure lines: an outage at
	// thousands of messages a minute gives one line per registryLogEvery.
	storeLog *ratelog.Log
}

// registryLogEvery is the least time between two lines of one kind of
// registry failure.
const registryLogEvery = 10 * time.Second

// New returns an Engine. It fails when Resolver or Rules is missing.
func New(opt Options) (*Engine, error) {
	if opt.Resolver == nil || opt.Rules == nil {
		return nil, fmt.Errorf("engine: resolver and rules are required")
	}
	if opt.MaxDKIM <= 0 {
		opt.MaxDKIM = 5
	}
	if opt.PrefetchTimeout <= 0 {
		opt.PrefetchTimeout = 10 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Decree.Now == nil {
		opt.Decree.Now = time.Now
	}
	return &Engine{opt: opt, storeLog: ratelog.New(opt.Logger, registryLogEvery, slog.LevelError)}, nil
}

// DNSBL returns the blocklist checker the engine uses, nil without zones.
func (e *Engine) DNSBL() *dnsbl.Checker { return e.opt.DNSBL }

// Lists returns the engine's local lists, nil without any.
func (e *Engine) Lists() *dnsbl.LocalLists { return e.opt.Lists }

// Prefetch starts the client-IP blocklist lookups so that they are answered
// from the resolver's cache or joined in flight at end of message. It
// returns at once.
func (e *Engine) Prefetch(conn txn.Conn) {
	if e.opt.DNSBL == nil || !conn.ClientIP.IsValid() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.opt.PrefetchTimeout)
	go func() {
		defer cancel()
		e.opt.DNSBL.Prefetch(ctx, e.opt.Resolver, conn.ClientIP)
	}()
}

// Evaluate runs checks and rules on t under ctx's deadline.
// The outcome is always non-nil. The error is non-nil when a check, the
// registry or the rules failed internally (see FaultError), or when ctx
// ended (it wraps context.Cause(ctx)): the checks, the Decree 91 stage and
// the rules stop reading the message and evaluating at ctx's end. The
// caller then applies the configured fail mode and must not use the
// verdict.
func (e *Engine) Evaluate(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error) {
	start := time.Now()
	out := &txn.Outcome{Facts: txn.Facts{Durations: map[string]time.Duration{}}}
	f := &out.Facts
	var counter resolver.Counter
	ctx = resolver.WithCounter(ctx, &counter)
	msg := mailmsg.NewView(t.Headers)
	f.FromAddresses, f.FromStatus, f.Subject = msg.From.Addrs(), string(msg.From.Status), msg.Subject
	body := e.bodyReader(ctx, t, msg)
	// Authenticated submissions skip the inbound checks (SPF, DKIM, DMARC,
	// blocklists) but not the rules, which judge outbound mail too.
	skipped := t.AuthUser != "" && e.opt.SkipAuthenticated
	if !skipped {
		e.runChecks(ctx, t, msg, f, body)
	}
	res := e.runDecree(ctx, t, msg, f, body)
	verdict, removed, err := e.decideAll(ctx, t, f)
	f.DNSQueries = int(counter.Load())
	switch {
	case ctx.Err() != nil:
		// The checks stop reading at the deadline, so their facts are
		// unfinished; the caller answers the fail mode.
		err = fmt.Errorf("engine: %w", context.Cause(ctx))
	case err != nil || len(f.CheckErrors) > 0:
		err = &FaultError{Checks: f.CheckErrors}
	}
	accepted := err == nil && verdict.Action <= txn.ActionQuarantine
	if e.opt.Decree.Analyzer != nil {
		e.finishDecree(t, f, res, accepted, removed)
	}
	out.Verdict = verdict
	for _, r := range t.Rcpts {
		if removed[r] {
			out.RemoveRcpts = append(out.RemoveRcpts, r)
		}
	}
	out.Edits = e.edits(t, f, &out.Verdict, skipped)
	if verdict.Action == txn.ActionQuarantine {
		out.Quarantine = fmt.Sprintf("milter91: score %.1f rules %v", verdict.Score, verdict.RuleIDs())
	}
	f.Durations["total"] = time.Since(start)
	return out, err
}

// FaultError reports checks or rules that failed internally.
type FaultError struct {
	Checks []string
}

func (f *FaultError) Error() string {
	return fmt.Sprintf("engine: internal fault in %v", f.Checks)
}
