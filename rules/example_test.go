package rules_test

import (
	"fmt"
	"net/netip"

	"milter91/internal/txn"
	"milter91/rules"
)

// The shipped rules and a local one, compiled once; the verdict of one
// message's facts: the score, the rules that matched with their reference,
// the action.
func ExampleCompile() {
	local := rules.Source{Name: "/etc/milter91/rules.d/local.yml", Data: []byte(`rules:
  - id: LOCAL_NO_FROM
    description: A message without a usable From field
    ref: RFC 5322 §3.6.2
    score: 2
    when: {from_status: [missing, unparsable, empty], authenticated: false}
`)}
	set, err := rules.Compile(append(rules.Defaults(), local))
	if err != nil {
		panic(err)
	}
	t := &txn.Transaction{Conn: txn.Conn{ClientIP: netip.MustParseAddr("192.0.2.1")}, MailFrom: "a@example.com"}
	f := &txn.Facts{SPF: txn.SPF{Result: txn.ResultFail}, FromStatus: "missing"}
	v := set.Evaluate(t, f)
	fmt.Println(v.Action, v.Score)
	for _, m := range v.Matches {
		fmt.Printf("%s %v (%s): %s\n", m.ID, m.Score, m.Ref, m.Detail)
	}
	// Output:
	// tag 6
	// SPF_FAIL 4 (RFC 7208 §8.4): spf=fail; authenticated=false
	// LOCAL_NO_FROM 2 (RFC 5322 §3.6.2): from_status=missing; authenticated=false
}

// Every problem of every file is reported at once, at its line and
// column.
func ExampleCompile_errors() {
	_, err := rules.Compile([]rules.Source{{Name: "typo.yml", Data: []byte(`rules:
  - {id: T, ref: RFC 7208 §8.4, score: 1, when: {spf: fial}}
  - {id: U, ref: local, score: 1, when: {sfp: fail}}
`)}})
	fmt.Println(err)
	// Output:
	// typo.yml:2:55: unknown spf value "fial" (want one of none, neutral, pass, fail, softfail, temperror, permerror)
	// typo.yml:3:42: unknown fact "sfp" (did you mean "spf"?)
}
