package dmarcreport

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The Go standard library has no XML Schema validator and the module
// proxy has none in pure Go, so this file interprets the subset of XSD
// that RFC 9990's schema uses, read from the schema file itself:
// top-level elements with an inline complexType, named complexTypes of
// xs:all or xs:sequence (with a trailing xs:any) or of simpleContent
// extending a type with attributes, named simpleTypes restricting
// xs:string by enumeration, and the builtins xs:string, xs:integer,
// xs:decimal, xs:language; minOccurs and maxOccurs; qualified elements
// of the target namespace. A construct outside the subset fails the
// schema load, so that the check cannot silently weaken.

type particle struct {
	name, typ string
	min, max  int // max -1: unbounded
}

type complexType struct {
	group  string // "all", "sequence" or "simple"
	elems  []particle
	any    bool
	base   string          // simple content
	attrs  map[string]bool // simple content
	simple bool
}

type schema struct {
	ns      string
	complex map[string]*complexType
	enums   map[string][]string
	roots   map[string]*complexType
}

// xnode is a generic XML element.
type xnode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xnode    `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n *xnode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func loadSchema(t testing.TB, path string) *schema {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var root xnode
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	s := &schema{ns: root.attr("targetNamespace"), complex: map[string]*complexType{}, enums: map[string][]string{}, roots: map[string]*complexType{}}
	for _, c := range root.Children {
		switch c.XMLName.Local {
		case "complexType":
			s.complex[c.attr("name")] = parseComplex(t, &c)
		case "simpleType":
			r := only(t, &c, "restriction")
			if r.attr("base") != "xs:string" {
				t.Fatalf("simpleType %s: base %s outside the subset", c.attr("name"), r.attr("base"))
			}
			for _, e := range r.Children {
				if e.XMLName.Local != "enumeration" {
					t.Fatalf("simpleType %s: %s outside the subset", c.attr("name"), e.XMLName.Local)
				}
				s.enums[c.attr("name")] = append(s.enums[c.attr("name")], e.attr("value"))
			}
		case "element":
			s.roots[c.attr("name")] = parseComplex(t, only(t, &c, "complexType"))
		default:
			t.Fatalf("schema: %s outside the subset", c.XMLName.Local)
		}
	}
	return s
}

func only(t testing.TB, n *xnode, name string) *xnode {
	t.Helper()
	if len(n.Children) != 1 || n.Children[0].XMLName.Local != name {
		t.Fatalf("%s %q: want one %s child", n.XMLName.Local, n.attr("name"), name)
	}
	return &n.Children[0]
}

func parseComplex(t testing.TB, n *xnode) *complexType {
	t.Helper()
	g := only(t, n, n.Children[0].XMLName.Local)
	ct := &complexType{group: g.XMLName.Local}
	switch ct.group {
	case "simpleContent":
		ext := only(t, g, "extension")
		ct.simple, ct.base, ct.attrs = true, ext.attr("base"), map[string]bool{}
		for _, a := range ext.Children {
			ct.attrs[a.attr("name")] = true
		}
	case "all", "sequence":
		for _, e := range g.Children {
			switch e.XMLName.Local {
			case "element":
				p := particle{name: e.attr("name"), typ: e.attr("type"), min: occurs(t, e.attr("minOccurs")), max: occurs(t, e.attr("maxOccurs"))}
				ct.elems = append(ct.elems, p)
			case "any":
				ct.any = true
			default:
				t.Fatalf("%s outside the subset", e.XMLName.Local)
			}
		}
	default:
		t.Fatalf("complexType %q: %s outside the subset", n.attr("name"), ct.group)
	}
	return ct
}

func occurs(t testing.TB, v string) int {
	switch v {
	case "":
		return 1
	case "unbounded":
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("occurs %q", v)
	}
	return n
}

var builtin = map[string]*regexp.Regexp{
	"xs:string":   regexp.MustCompile(`(?s)^.*$`),
	"xs:integer":  regexp.MustCompile(`^\s*[+-]?[0-9]+\s*$`),
	"xs:decimal":  regexp.MustCompile(`^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$`),
	"xs:language": regexp.MustCompile(`^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$`),
}

// validate checks the document r against the schema, returning every
// violation with its element path.
func (s *schema) validate(r io.Reader) []string {
	var root xnode
	if err := xml.NewDecoder(r).Decode(&root); err != nil {
		return []string{err.Error()}
	}
	ct, ok := s.roots[root.XMLName.Local]
	if !ok || root.XMLName.Space != s.ns {
		return []string{fmt.Sprintf("root element {%s}%s is not declared", root.XMLName.Space, root.XMLName.Local)}
	}
	var errs []string
	s.complexNode(&root, ct, root.XMLName.Local, &errs)
	return errs
}

func (s *schema) node(n *xnode, typ, path string, errs *[]string) {
	if n.XMLName.Space != s.ns {
		*errs = append(*errs, path+": not in namespace "+s.ns)
	}
	if ct, ok := s.complex[strings.TrimPrefix(typ, "")]; ok {
		s.complexNode(n, ct, path, errs)
		return
	}
	if len(n.Children) > 0 || len(n.Attrs) > 0 {
		*errs = append(*errs, path+": a simple value has child elements or attributes")
	}
	s.simpleValue(n.Text, typ, path, errs)
}

func (s *schema) simpleValue(text, typ, path string, errs *[]string) {
	if enum, ok := s.enums[typ]; ok {
		for _, v := range enum {
			if text == v {
				return
			}
		}
		*errs = append(*errs, fmt.Sprintf("%s: %q is not one of %v", path, text, enum))
		return
	}
	re, ok := builtin[typ]
	if !ok {
		*errs = append(*errs, path+": type "+typ+" outside the subset")
		return
	}
	if !re.MatchString(text) {
		*errs = append(*errs, fmt.Sprintf("%s: %q is not a valid %s", path, text, typ))
	}
}

func (s *schema) complexNode(n *xnode, ct *complexType, path string, errs *[]string) {
	if ct.simple {
		for _, a := range n.Attrs {
			if !ct.attrs[a.Name.Local] && a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
				*errs = append(*errs, path+": attribute "+a.Name.Local+" not allowed")
			}
		}
		if len(n.Children) > 0 {
			*errs = append(*errs, path+": child elements in simple content")
		}
		s.simpleValue(n.Text, ct.base, path, errs)
		return
	}
	if strings.TrimSpace(n.Text) != "" {
		*errs = append(*errs, path+": text in element-only content")
	}
	counts := map[string]int{}
	pos := 0 // sequence: index of the particle being matched
	for i := range n.Children {
		c := &n.Children[i]
		name := c.XMLName.Local
		j := declared(ct.elems, name)
		switch {
		case j < 0 && ct.any && ct.group == "sequence":
			pos = len(ct.elems)
			continue
		case j < 0:
			*errs = append(*errs, path+": element "+name+" not allowed")
			continue
		case ct.group == "sequence" && j < pos:
			*errs = append(*errs, path+": element "+name+" out of order")
		}
		pos = j
		counts[name]++
		s.node(c, ct.elems[j].typ, path+"/"+name, errs)
	}
	for _, p := range ct.elems {
		if counts[p.name] < p.min || (p.max >= 0 && counts[p.name] > p.max) {
			*errs = append(*errs, fmt.Sprintf("%s: %d %s elements, want %d to %d", path, counts[p.name], p.name, p.min, p.max))
		}
	}
}

func declared(elems []particle, name string) int {
	for i, p := range elems {
		if p.name == name {
			return i
		}
	}
	return -1
}

// TestSchemaValidatorRejects: the validator catches what it must, on the
// RFC's sample report and mutations of it.
func TestSchemaValidatorRejects(t *testing.T) {
	s := loadSchema(t, "testdata/dmarc-xml-0.2.xsd")
	sample, err := os.ReadFile("testdata/dmarc-xml-0.2.xml")
	if err != nil {
		t.Fatal(err)
	}
	if errs := s.validate(strings.NewReader(string(sample))); len(errs) > 0 {
		t.Fatalf("the RFC's sample report: %q", errs)
	}
	for name, edit := range map[string][2]string{
		"missing required":  {"<org_name>Sample Reporter</org_name>", ""},
		"bad enumeration":   {"<p>quarantine</p>", "<p>drop</p>"},
		"bad integer":       {"<count>123</count>", "<count>many</count>"},
		"sequence order":    {"<version>1.0</version>", ""},
		"unknown element":   {"<testing>n</testing>", "<testing>n</testing><pct>100</pct>"},
		"two report ranges": {"</date_range>", "</date_range><date_range><begin>1</begin><end>2</end></date_range>"},
		"no record":         {strings.SplitN(strings.SplitN(string(sample), "<record>", 2)[1], "</record>", 2)[0], ""},
	} {
		doc := strings.Replace(string(sample), edit[0], edit[1], 1)
		if name == "sequence order" {
			doc = strings.Replace(doc, "</report_metadata>", "</report_metadata><version>1.0</version>", 1)
		}
		if name == "no record" {
			doc = strings.Replace(doc, "<record></record>", "", 1)
		}
		if errs := s.validate(strings.NewReader(doc)); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}
