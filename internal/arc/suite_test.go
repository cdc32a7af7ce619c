package arc

import (
	"bufio"
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
)

// suiteCase is one validation scenario of the ValiMail ARC test suite.
type suiteCase struct {
	name, message, cv string
	txt               map[string]string
}

// loadSuite reads testdata/valimail/arc-draft-validation-tests.yml
// through go-yaml's syntax tree: the file repeats some test names, which
// a decode into a map would refuse; every occurrence is kept.
func loadSuite(t testing.TB) []suiteCase {
	t.Helper()
	f, err := parser.ParseFile("testdata/valimail/arc-draft-validation-tests.yml", 0, parser.AllowDuplicateMapKey())
	if err != nil {
		t.Fatal(err)
	}
	var out []suiteCase
	for _, doc := range f.Docs {
		top, ok := doc.Body.(*ast.MappingNode)
		if !ok {
			continue
		}
		txt := map[string]string{}
		var tests *ast.MappingNode
		for _, kv := range top.Values {
			switch kv.Key.String() {
			case "txt-records":
				for _, r := range kv.Value.(*ast.MappingNode).Values {
					txt[strings.ToLower(r.Key.String())] = scalar(r.Value)
				}
			case "tests":
				tests, _ = kv.Value.(*ast.MappingNode)
			}
		}
		if tests == nil {
			continue
		}
		for _, tc := range tests.Values {
			c := suiteCase{name: tc.Key.String(), txt: txt}
			for _, kv := range tc.Value.(*ast.MappingNode).Values {
				switch kv.Key.String() {
				case "message":
					c.message = scalar(kv.Value)
				case "cv":
					c.cv = strings.ToLower(strings.TrimSpace(scalar(kv.Value)))
				}
			}
			out = append(out, c)
		}
	}
	return out
}

func scalar(n ast.Node) string {
	switch v := n.(type) {
	case *ast.LiteralNode:
		return v.Value.Value
	case *ast.StringNode:
		return v.Value
	}
	return n.String()
}

// expected maps the suite's cv to ours: an empty cv (three cases whose
// ARC-Seal says cv=fail) is fail, as RFC 8617 §5.2 step 2 says; the
// suite was written for draft 18, whose reference runner returned
// nothing there.
func expected(cv string) string {
	if cv == "" {
		return ResultFail
	}
	return cv
}

// TestValiMailSuite runs every validation scenario of the ValiMail ARC
// test suite and compares the chain result with the suite's cv.
func TestValiMailSuite(t *testing.T) {
	cases := loadSuite(t)
	if len(cases) < 150 {
		t.Fatalf("only %d cases read", len(cases))
	}
	var failed []string
	for _, c := range cases {
		fake := &resolver.Fake{TXT: map[string][]string{}}
		for name, rec := range c.txt {
			fake.TXT[name] = []string{rec}
		}
		msg := strings.ReplaceAll(strings.ReplaceAll(c.message, "\r\n", "\n"), "\n", "\r\n")
		br := bufio.NewReader(strings.NewReader(msg))
		fields, first, err := mailmsg.ReadHeader(br)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		res, err := Verify(context.Background(), fake, fields, &prefixed{first, br})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		t.Logf("case %s expected=%s got=%s", c.name, expected(c.cv), res.Result)
		if res.Result != expected(c.cv) {
			failed = append(failed, c.name+": got "+res.Result+" ("+res.Detail+"), suite says "+c.cv)
		}
	}
	sort.Strings(failed)
	t.Logf("ValiMail suite: %d cases, %d as expected", len(cases), len(cases)-len(failed))
	for _, f := range failed {
		t.Error(f)
	}
}

// prefixed reads first, then r.
type prefixed struct {
	first []byte
	r     *bufio.Reader
}

func (p *prefixed) Read(b []byte) (int, error) {
	if len(p.first) > 0 {
		n := copy(b, p.first)
		p.first = p.first[n:]
		return n, nil
	}
	return p.r.Read(b)
}
