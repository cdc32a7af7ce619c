package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"time"

	"milter91/internal/archive"
	"milter91/internal/registry"
)

// Registry is the part of *registry.Store the API uses (Decree 91/2020
// Art. 11 consents, Art. 20 refusals). Input the registry refuses comes
// back as an error matching registry.ErrInvalid (answered 400: a
// *registry.InvalidError from the Add methods, a *registry.ImportError
// from the imports); any other error is a store failure (500). Listings
// are asked for with a Filter.Limit (a page) and streamed by the exports.
type Registry interface {
	AddConsent(ctx context.Context, c registry.Consent) (changed bool, err error)
	RevokeConsent(ctx context.Context, advertiser, rcpt string, now time.Time) (bool, error)
	ListConsents(ctx context.Context, f registry.Filter) ([]registry.Consent, error)
	ImportConsents(ctx context.Context, r io.Reader, now time.Time) (int, error)
	ExportConsents(ctx context.Context, w io.Writer) error
	AddRefusal(ctx context.Context, r registry.Refusal) error
	ListRefusals(ctx context.Context, f registry.Filter) ([]registry.Refusal, error)
	ImportRefusals(ctx context.Context, r io.Reader, now time.Time) (int, error)
	ExportRefusals(ctx context.Context, w io.Writer) error
}

// The registry's Store must satisfy Registry: a signature change there
// breaks the build here, not the daemon's wiring.
var _ Registry = (*registry.Store)(nil)

// HeaderQuery selects archived header records (Decree 91/2020 Art. 10.6).
// Zero fields match everything.
type HeaderQuery struct {
	// Since and Until bound Record.Time: Since ≤ Time < Until; a zero
	// bound is open.
	Since, Until time.Time
	// From is the From header address, lower-cased (Record.From).
	From string
	// Rcpt is one envelope recipient, lower-cased (in Record.Rcpts).
	Rcpt string
	// MessageID is the Message-ID without angle brackets.
	MessageID string
	// ClientIP is the SMTP client's address in canonical form
	// (netip.Addr.String).
	ClientIP string
	// Limit is the maximum number of records, 1..MaxHeaderLimit.
	Limit int
}

// HeaderSearcher finds archived header records, newest first, at most
// q.Limit of them. Errors are store failures (answered 500).
type HeaderSearcher interface {
	SearchHeaders(ctx context.Context, q HeaderQuery) ([]archive.Record, error)
}

// ReportFunc writes the Decree 91/2020 Art. 10.7 statistics report for
// [since, until) to w in format "json", "csv" or "html" and returns the
// body's media type ("" lets the API pick one from format). An error is
// answered 500 and nothing written to w is sent.
type ReportFunc func(ctx context.Context, w io.Writer, since, until time.Time, format string) (contentType string, err error)

// Health statuses.
const (
	HealthOK       = "ok"
	HealthDegraded = "degraded"
)

// Health is the daemon's state as GET /v1/health shows it.
type Health struct {
	// Status is HealthOK or HealthDegraded; anything but HealthOK is
	// answered 503.
	Status string `json:"status"`
	// Details names each checked part with a short state ("ok",
	// "zen.spamhaus.org: 3 timeouts"); may be nil.
	Details map[string]string `json:"details,omitempty"`
}

// Options configure the handler New builds. Nil Registry, Blocks, Reports,
// Headers, Report, Learner or Reload make their endpoints answer 404 "not
// configured" (pass a nil interface: a nil *registry.Store in one is not
// nil).
type Options struct {
	Registry Registry
	// Blocks are the users' own block lists (/v1/blocks).
	Blocks BlockLists
	// Reports take users' spam reports in (/v1/reports).
	Reports Reports
	Headers HeaderSearcher
	Report  ReportFunc
	// Learner learns for the content classifier (POST /v1/learn); nil
	// when the classifier is off.
	Learner Learner
	// Health reports the daemon's state; nil answers {"status":"ok"}.
	Health func(ctx context.Context) Health
	// Reload re-reads configuration and rules and returns the changed
	// settings that only a restart applies; its error is answered 500.
	Reload func() (restartNeeded []string, err error)
	// Tokens are the operators' bearer tokens (RFC 6750 §2.1), one per
	// operator: a request must carry one of them, and the header-archive
	// searches are logged with its name. Token alone is the single token
	// of older configurations, the operator named DefaultOperator. At
	// least one is required. See LoadToken.
	Tokens []NamedToken
	Token  []byte
	// Logger gets failed authentication (rate-limited) and store errors;
	// nil discards.
	Logger *slog.Logger
	// Now is the clock for records' default times, revocations, import
	// checks, the report's default until and the auth log's rate limit;
	// nil means time.Now.
	Now func() time.Time
}

// api holds the handlers' dependencies.
type api struct {
	reg     Registry
	blocks  BlockLists
	reports Reports
	headers HeaderSearcher
	report  ReportFunc
	learner Learner
	health  func(context.Context) Health
	reload  func() ([]string, error)
	log     *slog.Logger
	now     func() time.Time
}

// NamedToken is one operator's bearer token.
type NamedToken struct {
	// Name names the operator in the log (letters, digits, ".", "_", "-").
	Name  string
	Token []byte
}

// DefaultOperator names the single token of admin.token_file.
const DefaultOperator = "admin"

// New returns the admin API handler: bearer authentication in front of
// the /v1 endpoints documented in the package comment. It fails when
// there is no token, a token is empty, or two operators share a name or
// a token (the log could not tell who searched).
func New(opts Options) (http.Handler, error) {
	tokens, err := operatorTokens(opts)
	if err != nil {
		return nil, err
	}
	a := &api{reg: opts.Registry, blocks: opts.Blocks, reports: opts.Reports, headers: opts.Headers, report: opts.Report, learner: opts.Learner,
		health: opts.Health, reload: opts.Reload, log: opts.Logger, now: opts.Now}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		rt.register(mux)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	})
	auth := newAuthenticator(tokens, a.log, a.now, afterFunc)
	return secureHeaders(auth.wrap(mux)), nil
}

// operatorTokens checks the tokens of opts: Token as DefaultOperator,
// then Tokens.
func operatorTokens(opts Options) ([]NamedToken, error) {
	tokens := slices.Clone(opts.Tokens)
	if len(opts.Token) > 0 {
		tokens = append([]NamedToken{{Name: DefaultOperator, Token: opts.Token}}, tokens...)
	}
	if len(tokens) == 0 {
		return nil, errors.New("admin: no token")
	}
	names, values := map[string]bool{}, map[string]bool{}
	for _, t := range tokens {
		switch {
		case len(t.Token) == 0:
			return nil, fmt.Errorf("admin: operator %q: empty token", t.Name)
		case !operatorName.MatchString(t.Name):
			return nil, fmt.Errorf("admin: operator name %q: want letters, digits, . _ -, at most 63", t.Name)
		case names[t.Name]:
			return nil, fmt.Errorf("admin: operator %q named twice", t.Name)
		case values[string(t.Token)]:
			return nil, fmt.Errorf("admin: operator %q has the token of another operator", t.Name)
		}
		names[t.Name], values[string(t.Token)] = true, true
	}
	return tokens, nil
}

// operatorName is the syntax of an operator's name.
var operatorName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// secureHeaders marks every answer as not cacheable (it holds personal
// data) and not to be sniffed.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// afterFunc runs f after d on its own goroutine.
func afterFunc(d time.Duration, f func()) { time.AfterFunc(d, f) }
