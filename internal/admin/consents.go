package admin

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"milter91/internal/registry"
)

// consentOut is a consent as the API shows it (Decree 91/2020 Art. 11.2,
// 11.7); times RFC 3339 UTC, revoked_at null while active.
type consentOut struct {
	Advertiser string     `json:"advertiser"`
	Recipient  string     `json:"recipient"`
	Method     string     `json:"method"`
	Time       time.Time  `json:"time"`
	Evidence   string     `json:"evidence"`
	MaxPerDay  int        `json:"max_per_day"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt time.Time  `json:"last_used_at"`
}

func toConsentOut(c registry.Consent) consentOut {
	out := consentOut{Advertiser: c.Advertiser, Recipient: c.Recipient, Method: c.Method, Time: c.Time.UTC(),
		Evidence: c.Evidence, MaxPerDay: c.MaxPerDay, LastUsedAt: c.LastUsedAt.UTC()}
	if !c.RevokedAt.IsZero() {
		at := c.RevokedAt.UTC()
		out.RevokedAt = &at
	}
	return out
}

// consentIn is the body of POST /v1/consents.
type consentIn struct {
	Advertiser string `json:"advertiser"`
	Recipient  string `json:"recipient"`
	Method     string `json:"method"`
	Time       string `json:"time"`
	Evidence   string `json:"evidence"`
	MaxPerDay  int    `json:"max_per_day"`
}

// addedConsent answers POST /v1/consents.
type addedConsent struct {
	Changed bool       `json:"changed"`
	Consent consentOut `json:"consent"`
}

// listConsents answers GET /v1/consents?advertiser=&recipient=&limit=&cursor=
// with one page.
func (a *api) listConsents(w http.ResponseWriter, r *http.Request) {
	f, limit, ok := listFilter(w, r, cursorConsents)
	if !ok {
		return
	}
	cs, err := a.reg.ListConsents(r.Context(), f)
	if err != nil {
		a.storeError(w, r, "list consents", err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(cs, limit, cursorConsents, toConsentOut))
}

// addConsent answers POST /v1/consents: a field the registry refuses
// (registry.ErrInvalid) is a 400 with its reasons.
func (a *api) addConsent(w http.ResponseWriter, r *http.Request) {
	var in consentIn
	if !decodeJSON(w, r, &in) {
		return
	}
	at, now, ok := a.recordTimes(w, in.Time)
	if !ok {
		return
	}
	c := registry.Consent{Advertiser: in.Advertiser, Recipient: in.Recipient, Method: in.Method, Time: at,
		Evidence: in.Evidence, MaxPerDay: in.MaxPerDay, LastUsedAt: now}
	changed, err := a.reg.AddConsent(r.Context(), c)
	if a.addFailed(w, r, "add consent", err) {
		return
	}
	stored, err := a.reg.ListConsents(r.Context(), registry.Filter{Advertiser: c.Advertiser, Recipient: c.Recipient})
	if err == nil && len(stored) != 1 {
		err = fmt.Errorf("%d records for the pair after the write, want 1", len(stored))
	}
	if err != nil {
		a.storeError(w, r, "add consent", err)
		return
	}
	writeJSON(w, addedStatus(changed), addedConsent{Changed: changed, Consent: toConsentOut(stored[0])})
}

// revokeConsent answers DELETE /v1/consents?advertiser=&recipient=.
func (a *api) revokeConsent(w http.ResponseWriter, r *http.Request) {
	args, err := queryArgs(r, "advertiser", "recipient")
	if err == nil && (args["advertiser"] == "" || args["recipient"] == "") {
		err = errors.New("parameters advertiser and recipient are required")
	}
	var f registry.Filter
	if err == nil {
		f, err = filterArgs(args)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	revoked, err := a.reg.RevokeConsent(r.Context(), f.Advertiser, f.Recipient, a.now())
	if err != nil {
		a.storeError(w, r, "revoke consent", err)
		return
	}
	if !revoked {
		writeJSON(w, http.StatusNotFound, struct {
			Revoked bool   `json:"revoked"`
			Error   string `json:"error"`
		}{Error: fmt.Sprintf("no active consent of %s for %s", f.Recipient, f.Advertiser)})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Revoked bool `json:"revoked"`
	}{Revoked: true})
}
