package rules

import (
	"fmt"
	"regexp"
	"sort"
	"sync"

	"milter91/internal/txn"
)

// Input is what a matcher reads for one message. Evaluate never passes nil
// pointers: a nil transaction or facts becomes an empty one.
type Input struct {
	Txn   *txn.Transaction
	Facts *txn.Facts
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

var (
	factMu    sync.RWMutex
	factByKey = map[string]FactCompiler{}
	factName  = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)
)

// RegisterFact makes name usable as a fact key in rule conditions, e.g.
// "spf" or "decree91.label". Call it from an init function: it panics when
// name is not lower-case [a-z0-9_] words joined by dots, is one of the
// combinators all, any, not, or is already registered, because each of
// those is a programming error, not bad input.
func RegisterFact(name string, c FactCompiler) {
	if !factName.MatchString(name) || name == keyAll || name == keyAny || name == keyNot || c == nil {
		panic(fmt.Sprintf("rules: invalid fact registration %q", name))
	}
	factMu.Lock()
	defer factMu.Unlock()
	if _, dup := factByKey[name]; dup {
		panic(fmt.Sprintf("rules: fact %q registered twice", name))
	}
	factByKey[name] = c
}

// FactNames returns the registered fact names, sorted.
func FactNames() []string {
	factMu.RLock()
	defer factMu.RUnlock()
	names := make([]string, 0, len(factByKey))
	for n := range factByKey {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookupFact(name string) (FactCompiler, bool) {
	factMu.RLock()
	defer factMu.RUnlock()
	c, ok := factByKey[name]
	return c, ok
}

// suggestFact returns ` (did you mean "x"?)` for the registered name
// closest to a misspelt one, "" when none is close.
func suggestFact(name string) string {
	best, bestDist := "", 3
	for _, n := range append(FactNames(), keyAll, keyAny, keyNot) {
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
