package dkimsign

import (
	"strings"
	"testing"
)

func TestParseSpecs(t *testing.T) {
	data := []byte(`listen: unix:/run/milter91.sock
dkim:
  max_signatures: 5
  sign:
    - {domain: example.test, selector: s2026r, key: keys/example.test.s2026r.key}
    - {domain: example.test, selector: s2026e, key: keys/example.test.s2026e.key}
`)
	specs, err := ParseSpecs("milter91.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 || specs[1] != (KeySpec{"example.test", "s2026e", "keys/example.test.s2026e.key"}) {
		t.Fatalf("specs %+v", specs)
	}
	if specs, err := ParseSpecs("empty.yml", []byte("listen: x\n")); err != nil || len(specs) != 0 {
		t.Fatalf("no dkim.sign: %v %v", specs, err)
	}
}

func TestParseSpecsPositions(t *testing.T) {
	data := []byte(`dkim:
  sign:
    - {domain: example.test, selector: "bad selector", key: k1}
    - domain: example.test
      selector: s1
    - {domain: "not a domain", selector: s2, key: k3}
    - {domain: EXAMPLE.test, selector: S1, key: k4}
`)
	_, err := ParseSpecs("m.yml", data)
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		"m.yml:3:40: dkim.sign[0].selector: selector \"bad selector\"",
		"m.yml:4:13: dkim.sign[1].key: no key file",
		"m.yml:6:16: dkim.sign[2].domain: domain \"not a domain\"",
		"m.yml:7:40: dkim.sign[3].selector: selector s1 of example.test is listed twice (dkim.sign[1])",
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("errors:\n%v", err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d: %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestParseSpecsBadYAML(t *testing.T) {
	for _, data := range []string{"dkim: {sign: [\n", "dkim:\n  sign: 3\n", strings.Repeat("[", 100)} {
		if _, err := ParseSpecs("m.yml", []byte(data)); err == nil || !strings.HasPrefix(err.Error(), "m.yml") {
			t.Errorf("%q: %v", data, err)
		}
	}
}
