package rules

import (
	"fmt"
	"regexp"
	"slices"
	"sort"

	"milter91/internal/content"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// Input is what a matcher reads for one message. Evaluate never passes nil
// pointers: a nil transaction or facts becomes an empty one.
type Input struct {
	Txn   *txn.Transaction
	Facts *txn.Facts
	// Recipient is the recipient the rules are evaluated for, when the
	// engine evaluates per recipient (Decree 91/2020 registry facts); nil
	// when they judge the whole message.
	Recipient *txn.DecreeRecipient
}

// Hit tells why a matcher matched.
type Hit struct {
	// Detail is a short reason for txn.Match.Detail, e.g. "spf=fail",
	// "zen.example.test=127.0.0.2", "client_ip 127.0.0.0/8".
	Detail string
	// Zone is the blocklist zone that matched, for the {zone} placeholder;
	// "a DNS blocklist" for a secret zone, "" when no zone was involved.
	Zone string
}

// Matcher reports whether a compiled condition holds for in. It must be
// safe for concurrent use and must not modify in.
type Matcher func(in *Input) (Hit, bool)

// FactCompiler compiles the YAML value written after a fact key into a
// Matcher. Errors should come from v.Errorf (or be an ErrorList of them) so
// that they point inside the value; any other error is placed at v.
type FactCompiler func(v Value) (Matcher, error)

// Combinator keys of conditions; they cannot be fact names.
const (
	keyAll = "all"
	keyAny = "any"
	keyNot = "not"
)

// fact is one row of the fact table.
type fact struct {
	compile FactCompiler
	// rcpt is true for the facts known at RCPT, before DATA: about the
	// client, from the local lists and the blocklist zones marked
	// early: reject (see AtRCPT).
	rcpt bool
}

// factTable is every fact a rule condition can name; the facts_*.go files
// hold the compilers, one file per kind of check. To add a fact, add its
// row here (and to docs/rules.md's list).
var factTable = map[string]fact{
	// Authentication (facts_auth.go): RFC 7208 §2.6, RFC 6376, RFC 9989, RFC 8617.
	"spf": {compile: enumFact("spf", func(f *txn.Facts) string { return f.SPF.Result },
		"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror")},
	"spf_identity": {compile: enumFact("spf_identity", func(f *txn.Facts) string { return f.SPF.Identity },
		"mailfrom", "helo")},
	"dmarc": {compile: enumFact("dmarc", func(f *txn.Facts) string { return f.DMARC.Result },
		"pass", "fail", "none", "temperror", "permerror")},
	"dmarc_policy": {compile: enumFact("dmarc_policy", func(f *txn.Facts) string { return f.DMARC.Policy },
		"none", "quarantine", "reject")},
	"dmarc_requested": {compile: enumFact("dmarc_requested", func(f *txn.Facts) string { return f.DMARC.Requested },
		"none", "quarantine", "reject")},
	"arc": {compile: enumFact("arc", func(f *txn.Facts) string { return f.ARC.Result },
		"pass", "fail", "none", "temperror")},
	"arc_sealer": {compile: compileARCSealer},
	"arc_dmarc": {compile: enumFact("arc_dmarc", func(f *txn.Facts) string { return f.ARC.DMARC },
		"pass", "fail", "none", "temperror", "permerror")},
	"dkim":      {compile: compileDKIM},
	"temperror": {compile: compileTemperror},

	// Blocklists (facts_dnsbl.go): RFC 5782.
	"dnsbl":         {compile: listedFact("dnsbl", refIPZone, clientSource), rcpt: true},
	"rhsbl":         {compile: listedFact("rhsbl", refDomainZone, headerSource)},
	"uribl":         {compile: listedFact("uribl", refZone, bodyOnly)},
	"dnsbl_blocked": {compile: compileDNSBLBlocked},
	"dnsbl_tag":     {compile: compileDNSBLTag, rcpt: true},
	"dnsbl_result":  {compile: compileDNSBLResult},

	// Local lists (facts_lists.go): Decree 91/2020 Art. 8, 9.12.
	"blocklist": {compile: listFact("blocklist", "block"), rcpt: true},
	"allowlist": {compile: listFact("allowlist", "allow"), rcpt: true},

	// Users' own block lists (facts_users.go): Decree 91/2020 Art. 10.2.
	"user_blocked": {compile: compileUserBlocked},

	// Connection and envelope (facts_net.go, facts_text.go).
	"client_ip":     {compile: compileClientIP, rcpt: true},
	"client_name":   {compile: regexFact("client_name", func(in *Input) []string { return []string{in.Txn.Conn.ClientName} }), rcpt: true},
	"helo":          {compile: regexFact("helo", func(in *Input) []string { return []string{in.Txn.Conn.HELO} })},
	"mail_from":     {compile: regexFact("mail_from", func(in *Input) []string { return []string{in.Txn.MailFrom} })},
	"rcpt":          {compile: regexFact("rcpt", func(in *Input) []string { return in.Txn.Rcpts })},
	"auth_user":     {compile: regexFact("auth_user", func(in *Input) []string { return []string{in.Txn.AuthUser} })},
	"authenticated": {compile: compileAuthenticated, rcpt: true},
	"size_over":     {compile: sizeFact("size_over", func(size, limit int64) bool { return size > limit })},
	"size_under":    {compile: sizeFact("size_under", func(size, limit int64) bool { return size < limit })},

	// The header (facts_text.go): the message view's From (RFC 5322
	// §3.6.2) and Subject (RFC 2047), any field.
	"from":    {compile: regexFact("from", func(in *Input) []string { return in.Facts.FromAddresses })},
	"subject": {compile: regexFact("subject", func(in *Input) []string { return []string{in.Facts.Subject} })},
	"from_status": {compile: enumFact("from_status", func(f *txn.Facts) string { return f.FromStatus },
		string(mailmsg.FromOK), string(mailmsg.FromMissing), string(mailmsg.FromEmpty), string(mailmsg.FromUnparsable))},
	"header": {compile: compileHeader},

	// The content classifier (facts_bayes.go).
	"bayes": {compile: enumFact("bayes", func(f *txn.Facts) string { return f.Bayes.Result },
		txn.BayesSpam, txn.BayesHam, txn.BayesUnsure, txn.BayesNone, txn.BayesTemperror)},
	"bayes_probability": {compile: compileBayesProbability},
	"content":           {compile: anyOfFact("content", func(f *txn.Facts) []string { return f.Content }, content.Signals...)},

	// Decree 91/2020 (facts_decree.go).
	// direction, advertising and refused are known at RCPT too for the
	// envelope senders declared to send only ads (decree91.ad_envelope_senders).
	"decree91.direction": {compile: enumFact("decree91.direction",
		func(f *txn.Facts) string { return f.Decree.Direction }, txn.DirectionInbound, txn.DirectionOutbound), rcpt: true},
	"decree91.advertising": {compile: boolFact("decree91.advertising",
		func(f *txn.Facts) bool { return f.Decree.Advertising }), rcpt: true},
	"decree91.label": {compile: enumFact("decree91.label", decreeLabel,
		txn.LabelOK, txn.LabelMissing, txn.LabelMisplaced, txn.LabelLegacy, txn.LabelNonstandard)},
	"decree91.optout": {compile: boolFact("decree91.optout",
		func(f *txn.Facts) bool { return f.Decree.OptOut })},
	"decree91.grade": {compile: enumFact("decree91.grade", decreeGrade,
		txn.GradeCertain, txn.GradeLikely, txn.GradeNone)},
	"decree91.in_scope": {compile: boolFact("decree91.in_scope",
		func(f *txn.Facts) bool { return f.Decree.InScope })},
	"decree91.optout_statement": {compile: boolFact("decree91.optout_statement",
		func(f *txn.Facts) bool { return f.Decree.OptOutStatement })},
	"decree91.signal": {compile: compileDecreeSignal},
	"decree91.missing_channel": {compile: anyOfFact("decree91.missing_channel",
		func(f *txn.Facts) []string { return f.Decree.MissingChannels },
		txn.ChannelWeb, txn.ChannelEmail, txn.ChannelPhone)},
	"decree91.missing_info": {compile: anyOfFact("decree91.missing_info",
		func(f *txn.Facts) []string { return f.Decree.MissingInfo },
		txn.InfoName, txn.InfoPhone, txn.InfoEmail, txn.InfoAddress)},
	"decree91.registry_unavailable": {compile: boolFact("decree91.registry_unavailable",
		func(f *txn.Facts) bool { return f.Decree.RegistryUnavailable })},
	"decree91.consent_policy": {compile: enumFact("decree91.consent_policy",
		func(f *txn.Facts) string { return f.Decree.ConsentPolicy }, txn.ConsentPolicyReject, txn.ConsentPolicyTag, txn.ConsentPolicyOff)},
	"decree91.consent":  {compile: enumRcptFact("decree91.consent", []string{"present", "missing"}, consentValue)},
	"decree91.refused":  {compile: boolRcptFact("decree91.refused", func(r txn.DecreeRecipient) bool { return r.Refused }), rcpt: true},
	"decree91.over_cap": {compile: boolRcptFact("decree91.over_cap", func(r txn.DecreeRecipient) bool { return r.Sent24h >= r.Cap })},

	// Outbound rate limits (facts_ratelimit.go): Decree 91/2020 Art. 10.4.
	"rate_limited": {compile: boolFact("rate_limited", func(f *txn.Facts) bool { return f.RateLimit.Limited != "" })},
	"rate_limit":   {compile: compileRateLimit},
	"rate_limit_unavailable": {compile: boolFact("rate_limit_unavailable",
		func(f *txn.Facts) bool { return f.RateLimit.Unavailable })},
}

// factName is the shape of a fact name: lower-case words joined by dots.
var factName = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)

// WithFact makes name usable as a fact key in the rules one Compile reads,
// beside the fact table: for tests and for facts a program adds. Compile
// refuses a name that is not lower-case [a-z0-9_] words joined by dots, is
// one of the combinators all, any, not, or is already a fact.
func WithFact(name string, c FactCompiler) Option {
	return func(o *options) { o.extra = append(o.extra, extraFact{name: name, compile: c}) }
}

// Option changes how Compile reads rules.
type Option func(*options)

type options struct{ extra []extraFact }

type extraFact struct {
	name    string
	compile FactCompiler
}

// factSet returns the fact table with the extra facts of opts; an invalid
// extra fact is an error.
func factSet(opts []Option) (map[string]fact, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.extra) == 0 {
		return factTable, nil
	}
	set := make(map[string]fact, len(factTable)+len(o.extra))
	for k, v := range factTable {
		set[k] = v
	}
	for _, x := range o.extra {
		_, dup := set[x.name]
		if !factName.MatchString(x.name) || x.name == keyAll || x.name == keyAny || x.name == keyNot || x.compile == nil || dup {
			return nil, fmt.Errorf("rules: invalid extra fact %q", x.name)
		}
		set[x.name] = fact{compile: x.compile}
	}
	return set, nil
}

// FactNames returns the names of the fact table, sorted.
func FactNames() []string {
	return sortedNames(factTable)
}

func sortedNames(set map[string]fact) []string {
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// rcptFacts names the facts known at RCPT, for error messages.
func rcptFacts(set map[string]fact) []string {
	var out []string
	for _, n := range sortedNames(set) {
		if set[n].rcpt {
			out = append(out, n)
		}
	}
	return out
}

// suggestFact returns ` (did you mean "x"?)` for the fact name closest to a
// misspelt one, "" when none is close.
func suggestFact(set map[string]fact, name string) string {
	best, bestDist := "", 3
	for _, n := range append(sortedNames(set), keyAll, keyAny, keyNot) {
		if d := editDistance(name, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// clientSource is the dnsbl fact's test: b is about the client address.
func clientSource(_ []txn.DNSBL, b *txn.DNSBL) bool { return slices.Contains(b.Sources, "client") }

// headerSource is the rhsbl fact's test: b is about a domain of the
// envelope or header.
func headerSource(_ []txn.DNSBL, b *txn.DNSBL) bool {
	return slices.ContainsFunc(b.Sources, isHeaderSource)
}
