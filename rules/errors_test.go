package rules

import (
	"strings"
	"testing"
)

// rule lines shared by the cases: a valid rule header at lines 2-4.
var head = []string{"rules:", "  - id: A", "    ref: RFC 1", "    score: 1"}

func with(lines ...string) Source { return src(append(append([]string(nil), head...), lines...)...) }

// compileErrorCases give, for each class of error, a source and the exact
// "file:line:col|message fragment" of every error Compile must report.
var compileErrorCases = []struct {
	name string
	src  Source
	want []string
}{
	{"tab indentation", src("rules:", "\t- id: A"), []string{"r.yml:2:1|tabs"}},
	{"syntax error", src("rules: [", "  {id: A"), []string{"r.yml:2:3|flow mapping end"}},
	{"duplicate key", src("rules: []", "rules: []"), []string{"r.yml:2:1|already defined"}},
	{"unquoted wildcard", with("    when: {dnsbl: *}"), []string{`r.yml:5:20|write "*" for the wildcard`}},
	{"two documents", src("rules: []", "---", "rules: []"), []string{"r.yml:3:1|one YAML document per file"}},
	{"top level list", src("- id: A"), []string{"r.yml:1:1|a rule file is a mapping"}},
	{"unknown top-level key", src("rule: []"), []string{`r.yml:1:1|unknown top-level key "rule"`}},
	{"rules not a list", src("rules: {id: A}"), []string{"r.yml:1:8|want a list of rules, got a mapping"}},
	{"rule not a mapping", src("rules:", "  - SPF_FAIL"), []string{"r.yml:2:5|a rule is a mapping"}},
	{"unknown rule key", with("    when: {spf: fail}", "    scor: 2"), []string{`r.yml:6:5|unknown rule key "scor"`}},
	{"fact as rule key", with("    spf: fail"), []string{
		"r.yml:2:5|rule A: missing when",
		`r.yml:5:5|the fact "spf" goes under when:`}},
	{"bad id", src("rules:", "  - id: spf-fail", "    ref: x", "    score: 1", "    when: {spf: fail}"),
		[]string{`r.yml:2:9|rule id "spf-fail"`}},
	{"missing id", src("rules:", "  - ref: x", "    score: 1", "    when: {spf: fail}"), []string{"r.yml:2:5|rule without id"}},
	{"missing ref, when, score", src("rules:", "  - id: A"), []string{
		"r.yml:2:5|rule A: missing when", "r.yml:2:5|rule A: missing ref", "r.yml:2:5|rule A: needs a score or an action"}},
	{"empty ref", src("rules:", `  - {id: A, ref: "", score: 1, when: {spf: fail}}`), []string{"r.yml:2:18|ref must not be empty"}},
	{"score is a string", src("rules:", `  - {id: A, ref: x, score: "3", when: {spf: fail}}`), []string{"r.yml:2:28|want a number, got a string"}},
	{"score infinite", src("rules:", `  - {id: A, ref: x, score: .inf, when: {spf: fail}}`), []string{"r.yml:2:28|finite"}},
	{"action none needs score", src("rules:", `  - {id: A, ref: x, action: none, when: {spf: fail}}`), []string{"r.yml:2:5|needs a score or an action"}},
	{"unknown action", with("    action: rejected", "    when: {spf: fail}"), []string{`r.yml:5:13|unknown action "rejected"`}},
	{"duplicate id", src("rules:",
		"  - {id: A, ref: x, score: 1, when: {spf: fail}}",
		"  - {id: A, ref: x, score: 2, when: {spf: fail}}"), []string{"r.yml:3:10|duplicate rule id A (first defined at r.yml:2:10)"}},
	{"override without earlier rule", src("rules:", "  - {id: A, override: true, score: 1}"), []string{"r.yml:2:23|no earlier rule A"}},
	{"override not a boolean", with("    override: yes", "    when: {spf: fail}"), []string{`r.yml:5:15|got the string "yes"`}},
	{"disable unknown rule", src("disable: [A]"), []string{"r.yml:1:11|disable: no rule A"}},
	{"anchor", with("    when: {spf: &x fail}"), []string{"r.yml:5:17|anchors"}},
	{"merge key", with("    when: {<<: {spf: fail}}"), []string{"r.yml:5:12|merge keys"}},
	{"tag", with("    when: {spf: !!str fail}"), []string{"r.yml:5:17|tags"}},
	{"condition not a mapping", with("    when: spf"), []string{"r.yml:5:11|a condition is a mapping such as {spf: fail}, got a string"}},
	{"empty condition", with("    when: {}"), []string{"r.yml:5:11|empty condition"}},
	{"when missing value", with("    when:"), []string{"r.yml:5:5|got an empty value"}},
	{"unknown fact", with("    when: {sfp: fail}"), []string{`r.yml:5:12|unknown fact "sfp" (did you mean "spf"?)`}},
	{"unknown enum value", with("    when: {spf: [fail, fial]}"), []string{`r.yml:5:24|unknown spf value "fial"`}},
	{"unknown dmarc policy", with("    when: {dmarc_policy: rejects}"), []string{`r.yml:5:26|unknown dmarc_policy value "rejects"`}},
	{"unknown temperror check", with("    when: {temperror: dns}"), []string{`r.yml:5:23|unknown temperror value "dns"`}},
	{"bad regex", with("    when: {helo: \"(abc\"}"), []string{`r.yml:5:18|bad regular expression "(abc": missing closing )`}},
	{"empty regex", with("    when: {subject: \"\"}"), []string{"r.yml:5:21|empty regular expression"}},
	{"empty list", with("    when: {rcpt: []}"), []string{"r.yml:5:18|empty list"}},
	{"all not a list", with("    when: {all: {spf: fail}}"), []string{"r.yml:5:17|want a list of conditions, got a mapping"}},
	{"not with a list", with("    when: {not: [spf: fail]}"), []string{"r.yml:5:17|a condition is a mapping"}},
	{"bad CIDR and address", with("    when: {client_ip: [127.0.0.1, 127.0.0.0/33, localhost]}"), []string{
		`r.yml:5:35|"127.0.0.0/33" is not a CIDR prefix`, `r.yml:5:49|"localhost" is not an IP address`}},
	{"bad size", with("    when: {size_over: 10XB}"), []string{`r.yml:5:23|bad size "10XB"`}},
	{"negative size", with("    when: {size_under: -1}"), []string{"r.yml:5:24|must not be negative"}},
	{"authenticated not a boolean", with("    when: {authenticated: 1}"), []string{"r.yml:5:27|want true or false, got an integer"}},
	{"bad zone", with("    when: {dnsbl: \"zen example\"}"), []string{`r.yml:5:19|"zen example" is not a DNS zone name`}},
	{"bad dnsbl tag", with("    when: {dnsbl_tag: \"zen.example.test:\"}"), []string{`r.yml:5:23|want "zone:tag" or "tag"`}},
	{"header without match or exists", with("    when: {header: {name: X-Mailer}}"), []string{"r.yml:5:20|header: want {name:"}},
	{"header bad name and unknown key", with("    when: {header: {name: \"X Bad\", value: x}}"), []string{
		`r.yml:5:27|"X Bad" is not a header field name`, `r.yml:5:36|unknown header key "value"`}},
	{"reply code out of range", with("    action: reject", "    reply: {code: 250, text: x}", "    when: {spf: fail}"),
		[]string{"r.yml:6:19|reply code 250: want a 4xx or 5xx"}},
	{"reply enhanced class", with("    action: reject", "    reply: {code: 550, enhanced: 4.7.1, text: x}", "    when: {spf: fail}"),
		[]string{"r.yml:6:34|enhanced status 4.7.1 does not agree with code 550"}},
	{"reply enhanced malformed", with("    action: reject", "    reply: {code: 550, enhanced: 5.7, text: x}", "    when: {spf: fail}"),
		[]string{`r.yml:6:34|enhanced status "5.7" is not class.subject.detail`}},
	{"reply unknown placeholder", with("    action: reject", `    reply: {code: 550, text: "blocked {ip}"}`, "    when: {spf: fail}"),
		[]string{"r.yml:6:30|unknown placeholder {ip}"}},
	{"reply unclosed brace", with("    action: reject", `    reply: {code: 550, text: "blocked {ip"}`, "    when: {spf: fail}"),
		[]string{"r.yml:6:30|unclosed {"}},
	{"reply not ASCII", with("    action: reject", `    reply: {code: 550, text: "bloqué"}`, "    when: {spf: fail}"),
		[]string{"r.yml:6:30|printable US-ASCII"}},
	{"reply without text", with("    action: reject", "    reply: {code: 550}", "    when: {spf: fail}"),
		[]string{"r.yml:6:12|reply needs code and text"}},
	{"reply unknown key", with("    action: reject", "    reply: {code: 550, text: x, msg: y}", "    when: {spf: fail}"),
		[]string{`r.yml:6:33|unknown reply key "msg"`}},
	{"reply without fitting action", with("    action: tag", "    reply: {code: 550, text: x}", "    when: {spf: fail}"),
		[]string{"r.yml:6:12|a reply needs action reject or tempfail"}},
	{"reply code does not fit reject", with("    action: reject", "    reply: {code: 451, text: x}", "    when: {spf: fail}"),
		[]string{"r.yml:6:19|reply code 451 does not fit action reject"}},
	{"reply code does not fit tempfail", with("    action: tempfail", "    reply: {code: 554, text: x}", "    when: {spf: fail}"),
		[]string{"r.yml:6:19|reply code 554 does not fit action tempfail"}},
	{"unknown setting", src("settings: {tag_at: 5, reject: 10}"), []string{`r.yml:1:23|unknown setting "reject"`}},
	{"negative setting", src("settings: {tag_at: -1}"), []string{"r.yml:1:20|tag_at must be 0 (off) or more"}},
	{"settings out of order", src("settings:", "  tag_at: 10", "  quarantine_at: 12", "  reject_at: 8"), []string{
		"r.yml:4:3|reject_at 8 must be above tag_at 10", "r.yml:4:3|reject_at 8 must be above quarantine_at 12"}},
	{"several errors in one file", src(
		"rules:",
		"  - id: A",
		"    ref: x",
		"    score: one",
		"    when: {spf: fial, helo: \"[\"}",
		"  - id: B",
		"    ref: x",
		"    action: block",
		"    when: {nope: 1}",
	), []string{
		"r.yml:4:12|want a number",
		`r.yml:5:17|unknown spf value "fial"`,
		`r.yml:5:29|bad regular expression "["`,
		`r.yml:8:13|unknown action "block"`,
		`r.yml:9:12|unknown fact "nope"`,
	}},
}

func TestCompileErrors(t *testing.T) {
	for _, tt := range compileErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile([]Source{tt.src})
			checkErrors(t, err, tt.want)
		})
	}
}

func TestCompileErrorsAcrossSources(t *testing.T) {
	a := Source{Name: "a.yml", Data: []byte("settings: {tag_at: 5}\nrules:\n  - {id: A, ref: x, score: 1, when: {spf: fail}}\n")}
	b := Source{Name: "b.yml", Data: []byte("settings: {tag_at: 6}\nrules:\n  - {id: A, ref: x, score: 2, when: {spf: fail}}\n")}
	_, err := Compile([]Source{a, b})
	checkErrors(t, err, []string{
		"b.yml:1:12|setting tag_at is already set at a.yml:1:12; add override: true",
		"b.yml:3:10|duplicate rule id A (first defined at a.yml:3:10)",
	})
}

func TestCompileLimits(t *testing.T) {
	deepCond := strings.Repeat("{not: ", 34) + "{spf: fail}" + strings.Repeat("}", 34)
	tests := []struct {
		name string
		src  Source
		want []string
	}{
		{"source too large", Source{Name: "r.yml", Data: make([]byte, maxSourceBytes+1)}, []string{"r.yml|larger than"}},
		{"flow nesting", src("rules: " + strings.Repeat("[", 70) + strings.Repeat("]", 70)), []string{"r.yml:1:72|nested too deeply"}},
		{"condition nesting", with("    when: " + deepCond), []string{"r.yml:5:209|conditions nested deeper than 32"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile([]Source{tt.src})
			checkErrors(t, err, tt.want)
		})
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{Error{File: "a.yml", Line: 3, Col: 7, Msg: "bad"}, "a.yml:3:7: bad"},
		{Error{File: "a.yml", Msg: "open: no such file"}, "a.yml: open: no such file"},
		{ErrorList{{File: "a.yml", Line: 1, Col: 2, Msg: "x"}, {File: "b.yml", Line: 3, Col: 4, Msg: "y"}}, "a.yml:1:2: x\nb.yml:3:4: y"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
