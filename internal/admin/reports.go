package admin

import (
	"context"
	"mime"
	"net/http"
	"strconv"
	"time"

	"milter91/internal/arf"
	"milter91/internal/spamreport"
)

// Reports take users' spam reports in and list them (Decree 91/2020
// Art. 10.2, 12.1; *spamreport.Intake over a *spamreport.Store).
type Reports interface {
	Take(ctx context.Context, source string, rep *arf.Report, recipient string) (spamreport.Record, error)
	List(ctx context.Context, since, until time.Time, after int64, limit int) ([]spamreport.Record, error)
}

// reportIn is the JSON body of POST /v1/reports.
type reportIn struct {
	Recipient    string `json:"recipient"`
	FeedbackType string `json:"feedback_type"`
	// Message is the reported message as received (at least its header).
	Message string `json:"message"`
}

// postReport answers POST /v1/reports: a JSON body, or an RFC 5965
// report as message/rfc822 (at most arf.MaxInput bytes). 201 with the
// stored record.
func (a *api) postReport(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var rep *arf.Report
	var rcpt string
	if mt == "message/rfc822" {
		if !limitBody(w, r, mt, arf.MaxInput) {
			return
		}
		var err error
		if rep, err = arf.Parse(r.Body); err != nil {
			if !tooLarge(w, err) {
				writeError(w, http.StatusBadRequest, "report: "+err.Error())
			}
			return
		}
	} else {
		var in reportIn
		if !decodeJSON(w, r, &in) {
			return
		}
		if in.Message == "" {
			writeError(w, http.StatusBadRequest, "field message is required: the reported message, at least its header")
			return
		}
		rep, rcpt = arf.Reported(in.FeedbackType, []byte(in.Message)), in.Recipient
		if rcpt == "" {
			writeError(w, http.StatusBadRequest, "field recipient is required: the reporting user")
			return
		}
		if err := checkAddress(rcpt); err != nil {
			writeError(w, http.StatusBadRequest, "recipient: "+err.Error())
			return
		}
	}
	rec, err := a.reports.Take(r.Context(), spamreport.SourceAPI, rep, rcpt)
	if err != nil {
		a.storeError(w, r, "take report", err)
		return
	}
	writeJSON(w, http.StatusCreated, rec)
}

// listReports answers GET /v1/reports?since=&until=&limit=&cursor=:
// oldest first, a page as the registry listings.
func (a *api) listReports(w http.ResponseWriter, r *http.Request) {
	args, err := queryArgs(r, "since", "until", "limit", "cursor")
	var since, until time.Time
	var limit int
	var after int64
	if err == nil {
		since, until, err = requiredSpan(args, a.now())
	}
	if err == nil {
		limit, err = parseLimit(args, DefaultListLimit, MaxListLimit)
	}
	if err == nil && args["cursor"] != "" {
		var f []string
		if f, err = decodeFields("p", args["cursor"], 1); err == nil {
			if after, err = strconv.ParseInt(f[0], 10, 64); err != nil {
				err = errCursor
			}
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	recs, err := a.reports.List(r.Context(), since, until, after, limit+1)
	if err != nil {
		a.storeError(w, r, "list reports", err)
		return
	}
	p := page[spamreport.Record]{Items: recs[:min(len(recs), limit)]}
	if len(recs) > limit {
		next := encodeFields("p", strconv.FormatInt(recs[limit-1].ID, 10))
		p.Next = &next
	}
	if p.Items == nil {
		p.Items = []spamreport.Record{}
	}
	writeJSON(w, http.StatusOK, p)
}
