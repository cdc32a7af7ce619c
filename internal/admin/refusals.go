package admin

import (
	"net/http"
	"time"

	"milter91/internal/registry"
)

// refusalOut is a refusal as the API shows it (Decree 91/2020 Art. 13.4,
// 20); times RFC 3339 UTC.
type refusalOut struct {
	Advertiser string    `json:"advertiser"`
	Recipient  string    `json:"recipient"`
	Scope      string    `json:"scope"`
	Time       time.Time `json:"time"`
	Channel    string    `json:"channel"`
	Evidence   string    `json:"evidence"`
	LastUsedAt time.Time `json:"last_used_at"`
}

func toRefusalOut(r registry.Refusal) refusalOut {
	return refusalOut{Advertiser: r.Advertiser, Recipient: r.Recipient, Scope: r.Scope,
		Time: r.Time.UTC(), Channel: r.Channel, Evidence: r.Evidence, LastUsedAt: r.LastUsedAt.UTC()}
}

func toRefusalsOut(rs []registry.Refusal) []refusalOut {
	out := make([]refusalOut, 0, len(rs))
	for _, r := range rs {
		out = append(out, toRefusalOut(r))
	}
	return out
}

// refusalIn is the body of POST /v1/refusals.
type refusalIn struct {
	Advertiser string `json:"advertiser"`
	Recipient  string `json:"recipient"`
	Scope      string `json:"scope"`
	Time       string `json:"time"`
	Channel    string `json:"channel"`
	Evidence   string `json:"evidence"`
}

// addedRefusal answers POST /v1/refusals: every refusal now on record for
// the advertiser and recipient, all scopes.
type addedRefusal struct {
	Changed  bool         `json:"changed"`
	Refusals []refusalOut `json:"refusals"`
}

// listRefusals answers GET /v1/refusals?advertiser=&recipient=&limit=&cursor=
// with one page.
func (a *api) listRefusals(w http.ResponseWriter, r *http.Request) {
	f, limit, ok := listFilter(w, r, cursorRefusals)
	if !ok {
		return
	}
	rs, err := a.reg.ListRefusals(r.Context(), f)
	if err != nil {
		a.storeError(w, r, "list refusals", err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(rs, limit, cursorRefusals, toRefusalOut))
}

// addRefusal answers POST /v1/refusals like addConsent. Scope defaults to
// all (Art. 20.1), channel to api.
func (a *api) addRefusal(w http.ResponseWriter, r *http.Request) {
	var in refusalIn
	if !decodeJSON(w, r, &in) {
		return
	}
	at, now, ok := a.recordTimes(w, in.Time)
	if !ok {
		return
	}
	rf := registry.Refusal{Advertiser: in.Advertiser, Recipient: in.Recipient, Scope: in.Scope, Time: at,
		Channel: in.Channel, Evidence: in.Evidence, LastUsedAt: now}
	if rf.Scope == "" {
		rf.Scope = registry.ScopeAll
	}
	if rf.Channel == "" {
		rf.Channel = registry.ChannelAPI
	}
	if a.addFailed(w, r, "add refusal", a.reg.AddRefusal(r.Context(), rf)) {
		return
	}
	stored, err := a.reg.ListRefusals(r.Context(), registry.Filter{Advertiser: rf.Advertiser, Recipient: rf.Recipient,
		Limit: MaxListLimit})
	if err != nil {
		a.storeError(w, r, "add refusal", err)
		return
	}
	writeJSON(w, http.StatusCreated, addedRefusal{Changed: true, Refusals: toRefusalsOut(stored)})
}
