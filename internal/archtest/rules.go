package archtest

// The project's packages by role (see HACKING.md, "Package map").
var (
	// stores keep state in SQL: what the milter adapter, the config and
	// the metrics must not link, nor the SQL drivers. (database/sql alone
	// is no store: the Prometheus Go collectors import it for DBStats.)
	stores = []string{
		"milter91/internal/sqldb", "milter91/internal/registry", "milter91/internal/archive", "milter91/internal/counterstore",
		"milter91/internal/dmarcstore", "milter91/internal/userblock", "milter91/internal/spamreport",
		"modernc.org/sqlite/...", "github.com/jackc/pgx/...",
	}
	// checks turn a message into facts; only rules decide.
	checks = []string{"milter91/internal/auth", "milter91/dnsbl", "milter91/decree", "milter91/internal/resolver",
		"milter91/internal/ratelimit", "milter91/internal/dedup", "milter91/internal/bayes", "milter91/internal/content"}
	// pipeline is what runs checks and rules, and the adapter in front.
	pipeline = []string{"milter91/rules", "milter91/internal/engine", "milter91/milter", "milter91/config"}
)

// Enforced are the import rules TestArchitecture holds the module to.
var Enforced = []Rule{
	{
		Name:   "nothing imports cmd",
		From:   []string{"milter91/..."},
		Skip:   []string{"milter91/cmd/..."},
		Forbid: []string{"milter91/cmd/..."},
	},
	{
		Name:   "milter, config and metrics link no store",
		From:   []string{"milter91/milter", "milter91/config", "milter91/internal/metrics"},
		Forbid: stores,
	},
	{
		Name: "the milter adapter knows the transaction, not the checks, rules or config",
		From: []string{"milter91/milter"},
		Forbid: append([]string{"milter91/rules", "milter91/internal/engine", "milter91/config"},
			checks...),
	},
	{
		Name:   "config imports no adapter or engine",
		From:   []string{"milter91/config"},
		Forbid: []string{"milter91/milter", "milter91/internal/engine"},
	},
	{
		Name:   "checks import no rules, engine, adapter or config",
		From:   checks,
		Forbid: pipeline,
	},
	{
		Name: "stores import no rules, engine, adapter, config or checks",
		From: []string{"milter91/internal/sqldb", "milter91/internal/registry", "milter91/internal/archive", "milter91/internal/counterstore",
			"milter91/internal/dmarcstore", "milter91/internal/userblock", "milter91/internal/spamreport"},
		Forbid: append(append([]string{}, pipeline...), checks...),
	},
	{
		Name:   "value packages import nothing of the project",
		From:   []string{"milter91/internal/mailmsg", "milter91/internal/counter", "milter91/internal/freemail"},
		Forbid: []string{"milter91/..."},
	},
	{
		// txn.Header is mailmsg.Field: the transaction is built on the
		// message view, both values.
		Name:   "the transaction imports nothing of the project but the message view",
		From:   []string{"milter91/internal/txn"},
		Forbid: []string{"milter91/..."},
		Except: []string{"milter91/internal/mailmsg"},
	},
	{
		Name:   "one From parser: only the message view imports net/mail",
		From:   []string{"milter91/..."},
		Skip:   []string{"milter91/internal/mailmsg"},
		Forbid: []string{"net/mail"},
		Direct: true,
	},
	{
		Name:   "the organizational domain comes from the message view: dnsbl and decree import no internal/auth",
		From:   []string{"milter91/dnsbl", "milter91/decree"},
		Forbid: []string{"milter91/internal/auth"},
	},
}

// Pending are import rules the module does not hold yet. TestPendingRules
// reports their violations with t.Log and fails once one holds, so that it
// moves to Enforced. None now.
var Pending = []Rule{}

// EnforcedSource are the source rules TestArchitecture holds the module
// to.
var EnforcedSource = []SourceRule{
	{Name: "errors are returned in the engine, never panic(…)", Packages: []string{"milter91/internal/engine"}, Forbid: "panic"},
	{Name: "one fact table: rules fills no registry in init()", Packages: []string{"milter91/rules"}, Forbid: "init"},
}

// PendingSource are source rules waiting to hold, like Pending. None now.
var PendingSource = []SourceRule{}
