package main

import (
	"fmt"
	"io"
	"strings"

	"milter91/internal/txn"
)

// reportDecree is the `decree91` object of `check --json`. consent,
// refused and sent_24h are those of the first recipient (null without a
// registry or for mail that is not advertising); recipients has them all.
type reportDecree struct {
	Direction       string         `json:"direction"`
	Advertising     bool           `json:"advertising"`
	Grade           string         `json:"grade"`
	Evidence        reportEvidence `json:"evidence"`
	InScope         bool           `json:"in_scope"`
	Signals         []string       `json:"signals"`
	Label           string         `json:"label"`
	LabelText       string         `json:"label_text,omitempty"`
	OptOut          bool           `json:"optout"`
	OptOutStatement bool           `json:"optout_statement"`
	OptoutChannels  []string       `json:"optout_channels"`
	MissingChannels []string       `json:"missing_channels"`
	AdvertiserInfo  []string       `json:"advertiser_info"`
	MissingInfo     []string       `json:"missing_info"`
	RefusalMailbox  []string       `json:"refusal_mailboxes"`
	Advertiser      string         `json:"advertiser"`
	ConsentPolicy   string         `json:"consent_policy"`
	// NoConsentOnRecord: an outbound ad whose advertiser has no active
	// consent in the registry at all.
	NoConsentOnRecord bool              `json:"no_consent_on_record"`
	Consent           *bool             `json:"consent"`
	Refused           *bool             `json:"refused"`
	Sent24h           *int              `json:"sent_24h"`
	Recipients        []reportDecreeRcp `json:"recipients"`
}

// reportEvidence is the evidence of the ad grade (Art. 3.1): what speaks
// for an ad and what against.
type reportEvidence struct {
	For     []string `json:"for"`
	Against []string `json:"against"`
}

type reportDecreeRcp struct {
	Rcpt    string `json:"rcpt"`
	Consent bool   `json:"consent"`
	Refused bool   `json:"refused"`
	Sent24h int    `json:"sent_24h"`
	Cap     int    `json:"cap"`
}

func newReportDecree(d *txn.Decree) *reportDecree {
	r := &reportDecree{
		Direction: d.Direction, Advertising: d.Advertising, Label: d.Label, LabelText: d.LabelText,
		Grade: d.Grade, Evidence: reportEvidence{For: nonNil(d.Evidence), Against: nonNil(d.Against)},
		InScope: d.InScope, OptOut: d.OptOut, OptOutStatement: d.OptOutStatement, Advertiser: d.Advertiser,
		ConsentPolicy: d.ConsentPolicy, NoConsentOnRecord: d.NoConsentOnRecord,
		Signals: nonNil(d.Signals), OptoutChannels: nonNil(d.Channels), MissingChannels: nonNil(d.MissingChannels),
		AdvertiserInfo: nonNil(d.Info), MissingInfo: nonNil(d.MissingInfo), RefusalMailbox: nonNil(d.RefusalMailboxes),
		Recipients: []reportDecreeRcp{},
	}
	for i, rc := range d.Recipients {
		if i == 0 {
			consent, refused, sent := rc.Consent, rc.Refused, rc.Sent24h
			r.Consent, r.Refused, r.Sent24h = &consent, &refused, &sent
		}
		r.Recipients = append(r.Recipients, reportDecreeRcp{Rcpt: rc.Rcpt, Consent: rc.Consent,
			Refused: rc.Refused, Sent24h: rc.Sent24h, Cap: rc.Cap})
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeText prints the decree facts of the human report.
func (r *reportDecree) writeText(w io.Writer) {
	if r == nil {
		return
	}
	evidence := fmt.Sprintf("evidence for [%s] against [%s]", strings.Join(r.Evidence.For, ", "), strings.Join(r.Evidence.Against, ", "))
	if !r.Advertising {
		fmt.Fprintf(w, "decree91: %s, not advertising (grade %s, label %s); %s\n", r.Direction, r.Grade, r.Label, evidence)
		return
	}
	fmt.Fprintf(w, "decree91: %s advertising (grade %s) from %s, in scope %v; %s\n", r.Direction, r.Grade, r.Advertiser, r.InScope, evidence)
	fmt.Fprintf(w, "          label %s; opt-out %v (refuse-all statement %v), channels [%s] missing [%s]; info [%s] missing [%s]\n",
		r.Label, r.OptOut, r.OptOutStatement, strings.Join(r.OptoutChannels, ","), strings.Join(r.MissingChannels, ","),
		strings.Join(r.AdvertiserInfo, ","), strings.Join(r.MissingInfo, ","))
	if r.NoConsentOnRecord {
		fmt.Fprintf(w, "          warning: %s has no consent on record (consent_policy %s): import its consents or every ad goes without\n",
			r.Advertiser, r.ConsentPolicy)
	}
	for _, rc := range r.Recipients {
		fmt.Fprintf(w, "          %s: consent %v, refused %v, sent in 24 h %d of %d\n", rc.Rcpt, rc.Consent, rc.Refused, rc.Sent24h, rc.Cap)
	}
}
