package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"

	"milter91/dnsbl"
	"milter91/internal/txn"
)

// dnsblTimeout bounds `milter91 dnsbl check`: health checks and lookups.
const dnsblTimeout = 20 * time.Second

// dnsblRow is one zone's line of `milter91 dnsbl check`.
type dnsblRow struct {
	Zone    string   `json:"zone"`
	Type    string   `json:"type"`
	Query   string   `json:"query"`
	Result  string   `json:"result"`
	Answers []string `json:"answers"`
	Tags    []string `json:"tags"`
	Detail  string   `json:"detail,omitempty"`
	Health  string   `json:"health"`
	// HealthDetail says why a zone is not healthy.
	HealthDetail string `json:"health_detail,omitempty"`
}

// dnsblListRow is one local list entry matching the target.
type dnsblListRow struct {
	List  string `json:"list"`
	Kind  string `json:"kind"`
	Entry string `json:"entry"`
	// Reference and Requested are the authority's blocking request behind
	// the entry (Decree 91/2020 Art. 6.3, 9.4), when the list keeps them.
	Reference string `json:"reference,omitempty"`
	Requested string `json:"requested,omitempty"`
}

// cmdDNSBL runs `milter91 dnsbl check [--zone Z] [--json] IP|DOMAIN`: it
// checks the zones' health (RFC 5782 §5 test points), asks each zone of
// the config (or only Z) about the address or domain, and matches the
// local lists. Exit 0 when it could ask, 1 on a config or resolver error,
// 2 on usage errors.
func cmdDNSBL(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: milter91 dnsbl check [--config FILE] [--dns HOST:PORT]... [--zone ZONE] [--json] IP|DOMAIN")
		return 2
	}
	var c common
	fs := newFlagSet("dnsbl check", stderr, &c)
	zone := fs.String("zone", "", "ask only this zone")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args[1:]); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "milter91 dnsbl check: need one IP address or domain")
		return 2
	}
	rows, lists, err := dnsblCheck(&c, fs.Arg(0), *zone)
	var bad badTarget
	if errors.As(err, &bad) {
		fmt.Fprintf(stderr, "milter91 dnsbl check: %v\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "milter91 dnsbl check: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(map[string]any{"target": fs.Arg(0), "zones": rows, "lists": lists})
		return 0
	}
	writeDNSBLRows(stdout, rows, lists)
	return 0
}

// badTarget is a target dnsbl check cannot ask about (exit 2).
type badTarget struct{ error }

// dnsblCheck does the work of cmdDNSBL. An email address is asked about
// by its domain, and matched whole against the lists.
func dnsblCheck(c *common, target, zone string) ([]dnsblRow, []dnsblListRow, error) {
	name := target
	if i := strings.LastIndexByte(target, '@'); i >= 0 {
		if strings.Count(target, "@") != 1 || i == 0 || i == len(target)-1 {
			return nil, nil, badTarget{fmt.Errorf("%q: not an email address", target)}
		}
		name = target[i+1:]
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	res, err := newResolver(cfg)
	if err != nil {
		return nil, nil, err
	}
	checker, err := newChecker(cfg, nil)
	if err != nil {
		return nil, nil, err
	}
	lists, err := newLocalLists(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	if checker == nil && lists == nil {
		return nil, nil, fmt.Errorf("no dnsbl.zones and no lists in %s", cfg.Source)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dnsblTimeout)
	defer cancel()
	rows := []dnsblRow{}
	if checker != nil {
		health := map[string]dnsbl.Health{}
		for _, h := range checker.CheckHealth(ctx, res) {
			health[h.Zone] = h
		}
		types := map[string]string{}
		for _, z := range checker.Zones() {
			types[z.Name()] = z.Type()
		}
		facts, err := checker.Lookup(ctx, res, name, zone)
		if err != nil {
			return nil, nil, badTarget{err}
		}
		for _, f := range facts {
			rows = append(rows, newDNSBLRow(f, types[f.Zone], health[f.Zone]))
		}
		if zone != "" && len(rows) == 0 {
			return nil, nil, fmt.Errorf("zone %q: not configured, or it cannot be asked about %q (an IP address needs an IP zone, "+
				"IPv6 one with ipv6: true; a domain a domain zone)", zone, target)
		}
	}
	return rows, listRows(lists, target), nil
}

func newDNSBLRow(f txn.DNSBL, typ string, h dnsbl.Health) dnsblRow {
	r := dnsblRow{Zone: f.Zone, Type: typ, Query: f.Query, Result: f.Result, Answers: addrs(f.Answers),
		Tags: nonNil(f.Tags), Detail: f.Detail, Health: h.State, HealthDetail: h.Detail}
	if r.Answers == nil {
		r.Answers = []string{}
	}
	return r
}

// listRows matches target against every local list, as every source
// would: an IP as the client, a domain as HELO and link host, an address
// as envelope sender and From.
func listRows(lists *dnsbl.LocalLists, target string) []dnsblListRow {
	rows := []dnsblListRow{}
	if lists == nil {
		return rows
	}
	s := dnsbl.Subject{}
	if ip, err := netip.ParseAddr(target); err == nil {
		s.ClientIP = ip
	} else if i := strings.LastIndexByte(target, '@'); i >= 0 {
		for _, src := range []string{dnsbl.SourceMailFrom, dnsbl.SourceFrom, dnsbl.SourceReplyTo, dnsbl.SourceEmail} {
			s.Targets = append(s.Targets, dnsbl.Target{Source: src, Name: target[i+1:], Address: target})
		}
	} else {
		for _, src := range []string{dnsbl.SourceHELO, dnsbl.SourceDKIM, dnsbl.SourceURL} {
			s.Targets = append(s.Targets, dnsbl.Target{Source: src, Name: target})
		}
	}
	seen := map[string]bool{}
	for _, h := range lists.Check(s) {
		if key := h.List + "\x00" + h.Entry; !seen[key] {
			seen[key] = true
			rows = append(rows, dnsblListRow{List: h.List, Kind: h.Kind, Entry: h.Entry, Reference: h.Reference, Requested: h.Requested})
		}
	}
	return rows
}

func writeDNSBLRows(w io.Writer, rows []dnsblRow, lists []dnsblListRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(rows) > 0 {
		fmt.Fprintln(tw, "ZONE\tTYPE\tQUERY\tRESULT\tANSWERS\tTAGS\tHEALTH")
	} else {
		fmt.Fprintln(w, "no configured zone is asked about this kind of target (IPv6 addresses need ipv6: true)")
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Zone, r.Type, r.Query, r.Result,
			dash(strings.Join(r.Answers, ",")), dash(strings.Join(r.Tags, ",")), dash(r.Health))
	}
	tw.Flush()
	for _, r := range rows {
		detail := r.Detail
		if !strings.Contains(detail, r.HealthDetail) {
			detail = strings.Trim(detail+"; health: "+r.HealthDetail, "; ")
		}
		if detail != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Zone, detail)
		}
	}
	for _, l := range lists {
		req := ""
		if l.Reference != "" {
			req = fmt.Sprintf(", authority request %s of %s", l.Reference, l.Requested)
		}
		fmt.Fprintf(w, "list %s (%s): entry %s%s\n", l.List, l.Kind, l.Entry, req)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
