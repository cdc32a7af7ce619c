package yaml_test

import (
	"testing"

	"github.com/goccy/go-yaml"
)

// A tag on a value that is not a sequence, decoded into a slice, made
// decodeSlice call Len on the nil iterator of TagNode.ArrayRange.
func TestDecodeTaggedNonSequenceIntoSlice(t *testing.T) {
	type T struct {
		A []string `yaml:"a"`
	}
	for _, src := range []string{"a: !x\n", "a: !!str\n", "a: !x 1\n", "a: !x {b: c}\n"} {
		var v T
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Unmarshal(%q) panicked: %v", src, r)
				}
			}()
			err := yaml.Unmarshal([]byte(src), &v)
			if src == "a: !x\n" || src == "a: !!str\n" {
				if err != nil || v.A != nil {
					t.Errorf("Unmarshal(%q) = %v, %v; want a nil slice (a tagged null)", src, v.A, err)
				}
			} else if err == nil {
				t.Errorf("Unmarshal(%q) = %v; want an error (not a sequence)", src, v.A)
			}
		}()
	}
	var v T
	if err := yaml.Unmarshal([]byte("a: !x [b, c]\n"), &v); err != nil || len(v.A) != 2 {
		t.Errorf("tagged sequence: %v, %v; want [b c]", v.A, err)
	}
	var arr struct {
		A [2]string `yaml:"a"`
	}
	if err := yaml.Unmarshal([]byte("a: !x 1\n"), &arr); err == nil {
		t.Errorf("tagged scalar into an array: %v; want an error", arr.A)
	}
}
