package dkimsign

import (
	"crypto"
	"fmt"
	"path/filepath"
	"strings"
)

// Key is one loaded signing key.
type Key struct {
	Domain    string // lower-case A-labels (the d= tag)
	Selector  string // the s= tag, lower case
	Algorithm string // AlgRSA or AlgEd25519
	Signer    crypto.Signer
	// Active is true for the key that signs for its domain and algorithm
	// (the first listed); false for a standby key of a rotation.
	Active bool
}

// KeySet holds the keys of every signing domain. It is immutable once
// built and safe for concurrent use; a reload builds a new one.
type KeySet struct {
	byDomain map[string][]*Key // in list order
}

// Load builds the KeySet of specs: CheckSpecs, then every key file read
// with ReadKey, relative names taken from dir. All problems are returned
// together (Problems, paths "dkim.sign[i].key" for key files); on any
// problem no KeySet is returned, so that a reload keeps the running one.
func Load(specs []KeySpec, dir string) (*KeySet, error) {
	if p := CheckSpecs(specs); len(p) > 0 {
		return nil, p
	}
	ks := &KeySet{byDomain: map[string][]*Key{}}
	var probs Problems
	for i, s := range specs {
		path := s.Key
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		signer, alg, err := ReadKey(path)
		if err != nil {
			probs = append(probs, Problem{fmt.Sprintf("dkim.sign[%d].key", i), err.Error()})
			continue
		}
		d, _ := normDomain(s.Domain) // CheckSpecs accepted it
		k := &Key{Domain: d, Selector: strings.ToLower(s.Selector), Algorithm: alg, Signer: signer, Active: true}
		for _, o := range ks.byDomain[d] {
			if o.Algorithm == alg {
				k.Active = false
			}
		}
		ks.byDomain[d] = append(ks.byDomain[d], k)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return ks, nil
}

// Keys returns the keys of domain (any case, A-labels or U-labels) in list
// order, nil when it has none. The slice must not be changed.
func (ks *KeySet) Keys(domain string) []*Key {
	if ks == nil {
		return nil
	}
	d, err := normDomain(domain)
	if err != nil {
		return nil
	}
	return ks.byDomain[d]
}

// Signing returns the keys that sign for domain: the active ones, at most
// one per algorithm.
func (ks *KeySet) Signing(domain string) []*Key {
	var out []*Key
	for _, k := range ks.Keys(domain) {
		if k.Active {
			out = append(out, k)
		}
	}
	return out
}

// Domains returns the number of signing domains.
func (ks *KeySet) Domains() int {
	if ks == nil {
		return 0
	}
	return len(ks.byDomain)
}
