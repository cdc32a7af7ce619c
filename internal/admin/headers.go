package admin

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"milter91/internal/archive"
)

// Header search limits: the default and the maximum number of records
// one answer carries (our choice: a header block is a few KiB).
const (
	DefaultHeaderLimit = 100
	MaxHeaderLimit     = 1000
)

// searchHeaders answers GET /v1/headers (Decree 91/2020 Art. 10.6) with
// a JSON array of archive.Record.
// Every search, also a refused one, is logged with the operator, the
// client address and the query (Art. 10.6 data is personal data: who
// looked at whose mail, and when, must show).
func (a *api) searchHeaders(w http.ResponseWriter, r *http.Request) {
	q, err := parseHeaderQuery(r, a.now())
	if err != nil {
		a.auditSearch(r, q, -1, err)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	recs, err := a.headers.SearchHeaders(r.Context(), q)
	a.auditSearch(r, q, min(len(recs), q.Limit), err)
	if err != nil {
		a.storeError(w, r, "search headers", err)
		return
	}
	if len(recs) > q.Limit {
		recs = recs[:q.Limit]
	}
	if recs == nil {
		recs = []archive.Record{}
	}
	writeJSON(w, http.StatusOK, recs)
}

// auditSearch logs one header search: who (the operator's name and
// address), when (the line's time), what (the query as sent and as read),
// how many records it returned (-1: refused) or its error.
func (a *api) auditSearch(r *http.Request, q HeaderQuery, results int, err error) {
	attrs := []any{"operator", Operator(r.Context()), "remote", r.RemoteAddr, "query", quoteShort200(r.URL.RawQuery),
		"since", q.Since, "until", q.Until, "from", q.From, "rcpt", q.Rcpt, "message_id", q.MessageID,
		"client_ip", q.ClientIP, "limit", q.Limit, "results", results}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	a.log.Info("admin: header search", attrs...)
}

// quoteShort200 cuts an attacker-chosen query to 2 000 bytes of valid
// UTF-8 for the log.
func quoteShort200(s string) string {
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// parseHeaderQuery reads the /v1/headers parameters.
func parseHeaderQuery(r *http.Request, now time.Time) (HeaderQuery, error) {
	args, err := queryArgs(r, "since", "until", "from", "rcpt", "message_id", "client_ip", "limit")
	if err != nil {
		return HeaderQuery{}, err
	}
	q := HeaderQuery{
		From:      archive.NormalizeAddress(args["from"]),
		Rcpt:      archive.NormalizeAddress(args["rcpt"]),
		MessageID: archive.NormalizeMessageID(args["message_id"]),
		Limit:     DefaultHeaderLimit,
	}
	for name, v := range map[string]string{"from": q.From, "rcpt": q.Rcpt, "message_id": q.MessageID} {
		if args[name] != "" && v == "" {
			return q, fmt.Errorf("parameter %q is empty once angle brackets and blanks are removed", name)
		}
	}
	if q.Since, q.Until, err = requiredSpan(args, now); err != nil {
		return q, err
	}
	if v := args["client_ip"]; v != "" {
		ip, err := netip.ParseAddr(v)
		if err != nil {
			return q, fmt.Errorf("client_ip %q: not an IP address", v)
		}
		q.ClientIP = ip.Unmap().String()
	}
	q.Limit, err = parseLimit(args, DefaultHeaderLimit, MaxHeaderLimit)
	return q, err
}
