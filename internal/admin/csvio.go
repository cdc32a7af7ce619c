package admin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"milter91/internal/registry"
)

// problemOut is one rejected import line.
type problemOut struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// importRejected answers an import with invalid lines. Truncated: the
// import stopped at registry.MaxProblems and later lines were not checked.
type importRejected struct {
	Error     string       `json:"error"`
	Problems  []problemOut `json:"problems"`
	Truncated bool         `json:"truncated"`
}

// The registry's methods, bound late: routes are built before we know
// whether a Registry is configured.
func (a *api) importConsents(ctx context.Context, r io.Reader, now time.Time) (int, error) {
	return a.reg.ImportConsents(ctx, r, now)
}

func (a *api) importRefusals(ctx context.Context, r io.Reader, now time.Time) (int, error) {
	return a.reg.ImportRefusals(ctx, r, now)
}

func (a *api) exportConsents(ctx context.Context, w io.Writer) error {
	return a.reg.ExportConsents(ctx, w)
}

func (a *api) exportRefusals(ctx context.Context, w io.Writer) error {
	return a.reg.ExportRefusals(ctx, w)
}

// importCSV answers PUT /v1/{what}/import: a text/csv body applied all
// or nothing; 200 {"imported": n}, or 400 with every problem.
func (a *api) importCSV(what string, imp importFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := queryArgs(r); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		if !limitBody(w, r, "text/csv", maxCSVBody) {
			return
		}
		n, err := imp(r.Context(), r.Body, a.now())
		if err != nil {
			a.importFailed(w, r, "import "+what, err)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Imported int `json:"imported"`
		}{Imported: n})
	}
}

// importFailed answers a failed import: 400 with every problem of an
// *registry.ImportError, 413 for a body over the limit, else 500.
func (a *api) importFailed(w http.ResponseWriter, r *http.Request, op string, err error) {
	var ie *registry.ImportError
	if !errors.As(err, &ie) {
		if !tooLarge(w, err) {
			a.storeError(w, r, op, err)
		}
		return
	}
	out := importRejected{Error: registry.ImportSummary(ie), Truncated: ie.Truncated,
		Problems: make([]problemOut, len(ie.Problems))}
	for i, p := range ie.Problems {
		out.Problems[i] = problemOut{Line: p.Line, Reason: p.Reason}
	}
	writeJSON(w, http.StatusBadRequest, out)
}

// exportCSV answers GET /v1/{what}/export with the registry's CSV,
// streamed. A failure before the first byte is a 500; after it the
// connection is aborted, so that a cut file never looks complete.
func (a *api) exportCSV(what string, exp func(context.Context, io.Writer) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := queryArgs(r); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+what+`.csv"`)
		cw := &countingWriter{w: w}
		err := exp(r.Context(), cw)
		if err == nil {
			return
		}
		if cw.n == 0 {
			w.Header().Del("Content-Disposition")
			a.storeError(w, r, "export "+what, err)
			return
		}
		a.log.Error("admin: export "+what+" failed mid-stream", "bytes", cw.n, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// importFunc is a registry import method.
type importFunc func(ctx context.Context, r io.Reader, now time.Time) (int, error)

// recordTimes are the time of a record a POST adds (its "time" field,
// default now) and now; false after answering 400.
func (a *api) recordTimes(w http.ResponseWriter, raw string) (at, now time.Time, ok bool) {
	now = a.now()
	at, err := recordTime(raw, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return at, now, false
	}
	return at, now, true
}

// addedStatus is 201 when a POST changed the registry, 200 when a later
// record was already on file.
func addedStatus(changed bool) int {
	if changed {
		return http.StatusCreated
	}
	return http.StatusOK
}

// addFailed answers a failed POST of one record: 400 with the reasons of
// a record the registry refuses, else 500. It reports whether err was set.
func (a *api) addFailed(w http.ResponseWriter, r *http.Request, op string, err error) bool {
	var ie *registry.InvalidError
	switch {
	case errors.As(err, &ie):
		writeError(w, http.StatusBadRequest, ie.Error())
	case err != nil:
		a.storeError(w, r, op, err)
	}
	return err != nil
}
