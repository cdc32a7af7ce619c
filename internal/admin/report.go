package admin

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"milter91/internal/report"
)

// reportTypes maps each report format to its default media type.
var reportTypes = map[string]string{
	"json": "application/json",
	"csv":  "text/csv; charset=utf-8",
	"html": "text/html; charset=utf-8",
}

// getReport answers GET /v1/report?since=&until=&format= (Decree 91/2020
// Art. 10.7). The report is built in memory so that a failure is a clean
// 500, not a cut body.
func (a *api) getReport(w http.ResponseWriter, r *http.Request) {
	since, until, format, err := a.reportArgs(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var body bytes.Buffer
	ct, err := a.report(r.Context(), &body, since, until, format)
	if err != nil {
		a.storeError(w, r, "report", err)
		return
	}
	if ct == "" {
		ct = reportTypes[format]
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	w.Write(body.Bytes())
}

// reportArgs reads the /v1/report parameters: since required, until
// defaulting to now, format to json.
func (a *api) reportArgs(r *http.Request) (since, until time.Time, format string, err error) {
	args, err := queryArgs(r, "since", "until", "format")
	if err != nil {
		return since, until, "", err
	}
	format = args["format"]
	if format == "" {
		format = "json"
	}
	if _, ok := reportTypes[format]; !ok {
		return since, until, "", fmt.Errorf("format %q: want json, csv or html", format)
	}
	since, until, err = requiredSpan(args, a.now())
	if err == nil {
		err = report.CheckPeriod(since, until)
	}
	if err != nil {
		return since, until, "", err
	}
	return since, until, format, nil
}
