package admin

import (
	"net/http"
	"strings"
)

// endpoint is one method's handler on a route.
type endpoint struct {
	method  string
	handler http.HandlerFunc
}

// route is one path with its methods. A route whose feature is off
// answers every method 404 "not configured".
type route struct {
	path      string
	on        bool
	feature   string // what is not configured, for the 404
	endpoints []endpoint
}

// routes lists every endpoint; the package comment documents them.
func (a *api) routes() []route {
	reg := a.reg != nil
	const regName = "the consent/refusal registry"
	return []route{
		{path: "/v1/health", on: true, endpoints: []endpoint{{method: http.MethodGet, handler: a.getHealth}}},
		{path: "/v1/reload", on: a.reload != nil, feature: "reload",
			endpoints: []endpoint{{method: http.MethodPost, handler: a.postReload}}},
		{path: "/v1/consents", on: reg, feature: regName, endpoints: []endpoint{
			{method: http.MethodGet, handler: a.listConsents},
			{method: http.MethodPost, handler: a.addConsent},
			{method: http.MethodDelete, handler: a.revokeConsent},
		}},
		{path: "/v1/consents/import", on: reg, feature: regName, endpoints: []endpoint{
			{method: http.MethodPut, handler: a.importCSV("consents", a.importConsents)},
		}},
		{path: "/v1/consents/export", on: reg, feature: regName, endpoints: []endpoint{
			{method: http.MethodGet, handler: a.exportCSV("consents", a.exportConsents)},
		}},
		{path: "/v1/refusals", on: reg, feature: regName, endpoints: []endpoint{
			{method: http.MethodGet, handler: a.listRefusals},
			{method: http.MethodPost, handler: a.addRefusal},
		}},
		{path: "/v1/refusals/import", on: reg, feature: regName, endpoints: []endpoint{
			{method: http.MethodPut, handler: a.importCSV("refusals", a.importRefusals)},
		}},
		{path: "/v1/refusals/export", on: reg, feature: regName, endpoints: []endpoint{
			{method: http.MethodGet, handler: a.exportCSV("refusals", a.exportRefusals)},
		}},
		{path: "/v1/blocks", on: a.blocks != nil, feature: "the users' block lists", endpoints: []endpoint{
			{method: http.MethodGet, handler: a.listBlocks},
			{method: http.MethodPost, handler: a.addBlock},
			{method: http.MethodDelete, handler: a.removeBlock},
		}},
		{path: "/v1/reports", on: a.reports != nil, feature: "the spam report store", endpoints: []endpoint{
			{method: http.MethodGet, handler: a.listReports},
			{method: http.MethodPost, handler: a.postReport},
		}},
		{path: "/v1/headers", on: a.headers != nil, feature: "the header archive",
			endpoints: []endpoint{{method: http.MethodGet, handler: a.searchHeaders}}},
		{path: "/v1/report", on: a.report != nil, feature: "the statistics report",
			endpoints: []endpoint{{method: http.MethodGet, handler: a.getReport}}},
		{path: "/v1/learn", on: a.learner != nil, feature: "the content classifier",
			endpoints: []endpoint{{method: http.MethodPost, handler: a.postLearn}}},
	}
}

// register adds rt to mux: "METHOD path" per endpoint and a bare path
// that answers the other methods 405 with Allow (RFC 9110 §15.5.6).
func (rt route) register(mux *http.ServeMux) {
	if !rt.on {
		mux.HandleFunc(rt.path, func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusNotFound, rt.feature+" is not configured")
		})
		return
	}
	var allow []string
	for _, e := range rt.endpoints {
		mux.Handle(e.method+" "+rt.path, e.handler)
		allow = append(allow, e.method)
		if e.method == http.MethodGet {
			// ServeMux serves HEAD with the GET handler.
			allow = append(allow, http.MethodHead)
		}
	}
	allowed := strings.Join(allow, ", ")
	mux.HandleFunc(rt.path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed)
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+rt.path+" (allowed: "+allowed+")")
	})
}
