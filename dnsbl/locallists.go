package dnsbl

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"milter91/internal/txn"
)

// List kinds (LocalListConfig.Kind, txn.ListHit.Kind).
const (
	KindBlock = "block"
	KindAllow = "allow"
)

// maxListHits bounds the hits one message records per list: a message
// with hundreds of listed link domains needs no hundred facts.
const maxListHits = 10

// LocalListConfig is one local list as the operator writes it (daemon
// YAML lists[]).
type LocalListConfig struct {
	Name string // unique; shown in facts and in {zone} of replies
	Path string // the file (see LoadList for its format)
	Kind string // KindBlock (default) or KindAllow
	// Sources the list is matched against (Source* constants). Default
	// for a block list: all of SourceClient, SourceHELO, SourceMailFrom,
	// SourceFrom, SourceReplyTo, SourceDKIM, SourceURL, SourceEmail; for an
	// allow list only SourceClient, because every other source is written
	// by the sender (a link to an allow-listed domain must not exempt
	// spam from the blocklists).
	Sources []string
	// Early is EarlyReject for a block list matched against the client
	// address to reject a listed client at RCPT (LocalLists.Early).
	Early string
}

// LocalLists matches a message against the local lists a ListWatcher
// keeps loaded. Safe for concurrent use.
type LocalLists struct {
	w     *ListWatcher
	lists []localList
	early map[string]bool // names of the block lists marked EarlyReject
}

type localList struct {
	name, kind string
	sources    map[string]bool
}

// allListSources are the sources a local list is matched against by
// default.
var allListSources = []string{SourceClient, SourceHELO, SourceMailFrom, SourceFrom, SourceReplyTo, SourceDKIM, SourceURL, SourceEmail}

// ListSources returns the sources a local list can be matched against.
func ListSources() []string { return slices.Clone(allListSources) }

// NewLocalLists validates configs and loads every file (see
// NewListWatcher). Errors name the list and, for a file, path:line; all
// are joined.
func NewLocalLists(configs []LocalListConfig, logf func(msg string, args ...any)) (*LocalLists, error) {
	ll := &LocalLists{early: map[string]bool{}}
	specs := make([]ListSpec, 0, len(configs))
	var errs []string
	for _, c := range configs {
		l := localList{name: c.Name, kind: c.Kind, sources: map[string]bool{}}
		if l.kind == "" {
			l.kind = KindBlock
		}
		if l.kind != KindBlock && l.kind != KindAllow {
			errs = append(errs, fmt.Sprintf("list %q: kind %q, want %q or %q", c.Name, c.Kind, KindBlock, KindAllow))
		}
		sources := c.Sources
		if len(sources) == 0 {
			sources = allListSources
			if l.kind == KindAllow {
				sources = []string{SourceClient}
			}
		}
		for _, s := range sources {
			if !slices.Contains(allListSources, s) {
				errs = append(errs, fmt.Sprintf("list %q: source %q, want one of %s", c.Name, s, strings.Join(allListSources, ", ")))
			}
			l.sources[s] = true
		}
		if err := checkEarly(c.Early, l.sources[SourceClient] && l.kind == KindBlock, "a block list matched against the client address"); err != nil {
			errs = append(errs, fmt.Sprintf("list %q: %v", c.Name, err))
		}
		ll.early[c.Name] = c.Early == EarlyReject
		ll.lists = append(ll.lists, l)
		specs = append(specs, ListSpec{Name: c.Name, Path: c.Path})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	w, err := NewListWatcher(specs, logf)
	if err != nil {
		return nil, err
	}
	ll.w = w
	return ll, nil
}

// Watcher returns the ListWatcher behind the lists, for Watch and Reload.
func (ll *LocalLists) Watcher() *ListWatcher { return ll.w }

// Asks reports whether any list is matched against source.
func (ll *LocalLists) Asks(source string) bool {
	return slices.ContainsFunc(ll.lists, func(l localList) bool { return l.sources[source] })
}

// Check matches s against every list: the client address, then each
// target by its source (an IP literal or domain by MatchIP/MatchDomain,
// an email address by MatchAddress). One hit per list and target, at most
// maxListHits per list, in list order.
func (ll *LocalLists) Check(s Subject) []txn.ListHit {
	var out []txn.ListHit
	for _, l := range ll.lists {
		list := ll.w.Get(l.name)
		var hits []txn.ListHit
		add := func(target, source, entry string) {
			for i := range hits {
				if hits[i].Target == target {
					if !slices.Contains(hits[i].Sources, source) {
						hits[i].Sources = append(hits[i].Sources, source)
					}
					return
				}
			}
			if len(hits) < maxListHits {
				h := txn.ListHit{List: l.name, Kind: l.kind, Target: target, Sources: []string{source}, Entry: entry}
				if r, ok := list.Request(entry); ok {
					h.Reference, h.Requested = r.Reference, r.Date.Format(time.DateOnly)
				}
				hits = append(hits, h)
			}
		}
		if l.sources[SourceClient] && s.ClientIP.IsValid() {
			if e, ok := list.MatchIP(s.ClientIP); ok {
				add(s.ClientIP.Unmap().String(), SourceClient, e)
			}
		}
		for _, t := range s.Targets {
			if l.sources[t.Source] {
				if target, e, ok := matchTarget(list, t); ok {
					add(target, t.Source, e)
				}
			}
		}
		out = append(out, hits...)
	}
	return out
}

// matchTarget matches one target: its whole address when it has one, else
// its name as an IP literal or a domain.
func matchTarget(list *List, t Target) (target, entry string, ok bool) {
	if t.Address != "" {
		entry, ok = list.MatchAddress(t.Address)
		return strings.ToLower(t.Address), entry, ok
	}
	if ip, err := netip.ParseAddr(strings.Trim(t.Name, "[]")); err == nil {
		entry, ok = list.MatchIP(ip)
		return ip.Unmap().String(), entry, ok
	}
	entry, ok = list.MatchDomain(t.Name)
	return strings.ToLower(strings.TrimSuffix(t.Name, ".")), entry, ok
}
