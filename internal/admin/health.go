package admin

import "net/http"

// getHealth answers GET /v1/health: the Health as JSON, 200 when its
// status is HealthOK, else 503 (so that a plain HTTP probe sees it).
func (a *api) getHealth(w http.ResponseWriter, r *http.Request) {
	if _, err := queryArgs(r); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h := Health{Status: HealthOK}
	if a.health != nil {
		h = a.health(r.Context())
	}
	status := http.StatusOK
	if h.Status != HealthOK {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, h)
}

// postReload answers POST /v1/reload: 200 {"reloaded": true,
// "restart_needed": [settings]}, or 500 with the reload's error (the
// running configuration stays).
func (a *api) postReload(w http.ResponseWriter, r *http.Request) {
	if _, err := queryArgs(r); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	stale, err := a.reload()
	if err != nil {
		a.log.Error("admin: reload failed", "err", err)
		writeError(w, http.StatusInternalServerError, "reload: "+err.Error())
		return
	}
	a.log.Info("admin: reloaded")
	if stale == nil {
		stale = []string{}
	}
	writeJSON(w, http.StatusOK, struct {
		Reloaded      bool     `json:"reloaded"`
		RestartNeeded []string `json:"restart_needed"`
	}{Reloaded: true, RestartNeeded: stale})
}
