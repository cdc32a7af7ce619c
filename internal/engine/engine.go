// Package engine runs one message through the pipeline, a short list of
// named steps (see Evaluate): parse the header once (mailmsg.View), the
// checks (SPF, DKIM, ARC and the local lists and blocklists concurrently, then
// DMARC), the Decree 91/2020 stage (package decree/stage), the rules
// (once, or once per recipient), the header edits. Checks produce facts;
// only the rules decide, and every SMTP reply text comes from a rule. At
// RCPT, before DATA, Early runs the rules marked at: rcpt over the facts
// known about the client then. The engine owns no network code: the
// resolver, the blocklist checker, the rule set and the decree stage are
// injected.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"milter91/decree/stage"
	"milter91/dnsbl"
	"milter91/internal/bayes"
	"milter91/internal/dedup"
	"milter91/internal/ratelimit"
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
	// DMARCPSL makes DMARC discovery use the public suffix list (RFC 7489
	// §3.2) instead of RFC 9989's DNS tree walk (dmarc.discovery: psl).
	DMARCPSL bool
	// MaxDKIM caps verified DKIM signatures (default 5).
	MaxDKIM int
	// SkipAuthenticated accepts mail with {auth_authen} set without checks.
	SkipAuthenticated bool
	// SubjectPrefix is prepended to the Subject of tagged mail; "" is off.
	SubjectPrefix string
	// PrefetchTimeout bounds lookups started by Prefetch (default 10 s).
	PrefetchTimeout time.Duration
	Logger          *slog.Logger
	// Trusted are the relays whose Received fields are believed: behind
	// one, SPF, the blocklists, the local lists and the rules judge the
	// first untrusted hop (nil: the client as it connected).
	Trusted Trusted
	// Quarantine chooses hold or junk for quarantine verdicts (zero:
	// hold).
	Quarantine Quarantine
	// Modes say where verdicts are only observed: computed, logged and
	// written as X-Milter91-Would, never enforced (zero: enforce).
	Modes Modes
	// BlockLists are the users' own block lists; nil turns them off.
	BlockLists BlockLists
	// Reports take in the feedback reports mailed to AbuseMailboxes
	// (lower-cased addresses); nil turns it off. AbuseDiscard drops such
	// a message once its report is stored (reports.abuse_action: discard).
	Reports        ReportIntake
	AbuseMailboxes []string
	AbuseDiscard   bool
	// FeedbackIDs stamp outbound ads with a Feedback-ID (nil: none).
	FeedbackIDs FeedbackIDs
	// Decree is the Decree 91/2020 stage (stage.New, stage.FromConfig);
	// nil turns it off.
	Decree *stage.Stage
	// RateLimits are the outbound rate limits (nil: none) and Outbound
	// tells the mail they count (nil: authenticated mail).
	RateLimits *ratelimit.Limiter
	Outbound   func(*txn.Transaction) bool
	// Once counts each message once for the rate limits and the Decree
	// 91/2020 24 h cap (nil: every message counts).
	Once *dedup.Once
	// Signing asks the adapter to sign outbound mail (DKIM); nil signs
	// nothing.
	Signing *Signing
	// Bayes is the content classifier (Facts.Bayes); nil turns it off.
	Bayes *bayes.Classifier
	// BayesPerRecipient judges a message with one recipient by that
	// recipient's counts when they suffice.
	BayesPerRecipient bool
	// Autolearn learns from the verdicts (see Autolearn); nil is off.
	Autolearn *Autolearn
	// ContentFacts finds the content signals (Facts.Content,
	// internal/content).
	ContentFacts bool
}

// Engine evaluates messages. It is safe for concurrent use; a reload builds
// a new Engine.
type Engine struct {
	opt Options
	// storeLog rate-limits the counter store's failure lines.
	storeLog *ratelog.Log
}

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
	return &Engine{opt: opt, storeLog: ratelog.New(opt.Logger, storeLogEvery, slog.LevelError)}, nil
}

// storeLogEvery is the least time between two counter store failure lines.
const storeLogEvery = 10 * time.Second

// DNSBL returns the blocklist checker the engine uses, nil without zones.
func (e *Engine) DNSBL() *dnsbl.Checker { return e.opt.DNSBL }

// Bayes returns the engine's content classifier, nil when it is off.
func (e *Engine) Bayes() *bayes.Classifier { return e.opt.Bayes }

// Lists returns the engine's local lists, nil without any.
func (e *Engine) Lists() *dnsbl.LocalLists { return e.opt.Lists }

// Prefetch starts the client-IP blocklist lookups so that they are answered
// from the resolver's cache or joined in flight at RCPT and at end of
// message. It returns at once.
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

// FaultError reports checks or rules that failed internally.
type FaultError struct {
	Checks []string
}

func (f *FaultError) Error() string {
	return fmt.Sprintf("engine: internal fault in %v", f.Checks)
}
