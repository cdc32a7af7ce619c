package admin

import (
	"fmt"
	"net/http"
	"net/netip"
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
func (a *api) searchHeaders(w http.ResponseWriter, r *http.Request) {
	q, err := parseHeaderQuery(r, a.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	recs, err := a.headers.SearchHeaders(r.Context(), q)
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
