package archive

import (
	"regexp"
	"slices"
	"strings"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// NewRecord is the archive record of one answer of the milter adapter
// (Decree 91/2020 Art. 10.6): the envelope, the verdict and the header
// block as delivered, with Message-ID, From and Subject copied from it
// for searching. A client refused at RCPT gives a record of Stage
// StageRCPT without a header block.
func NewRecord(a txn.Answer) Record {
	r := Record{
		Time:       a.Time,
		QueueID:    a.QueueID,
		ClientName: a.Conn.ClientName,
		HELO:       a.Conn.HELO,
		MailFrom:   a.MailFrom,
		Rcpts:      slices.Clone(a.Rcpts),
		Action:     a.Action.String(),
		Reply:      replyText(a.Reply),
		Size:       a.Size,
		Header:     renderHeaders(a.Headers),
	}
	if a.Conn.ClientIP.IsValid() {
		r.ClientIP = a.Conn.ClientIP.String()
	}
	r.MessageID = NormalizeMessageID(lastValue(a.Headers, "Message-ID"))
	r.From = fromAddress(lastValue(a.Headers, "From"))
	r.Subject = strings.TrimSpace(mailmsg.Unfold(lastValue(a.Headers, "Subject")))
	out := a.Outcome
	refused := a.Action == txn.ActionReject || a.Action == txn.ActionTempfail
	switch {
	case a.Stage == txn.StageRCPT:
		// A client refused at RCPT has no outcome; one recipient refused
		// at RCPT (Decree 91/2020 Art. 13.4) has one and is no blocked client.
		r.Stage, r.BlockedClient = StageRCPT, out == nil
	case out != nil && refused && a.Fault == "" && a.AuthUser == "":
		r.BlockedClient = out.Facts.ClientListed()
	}
	if out != nil {
		r.Score = out.Verdict.Score
		r.Rules = out.Verdict.RuleIDs()
		r.Articles = articles(out.Verdict.Matches)
		r.Direction = out.Facts.Decree.Direction
		if out.Observed && a.Fault == "" {
			r.Would = out.Verdict.Action.String()
		}
		if out.Facts.Decree.Advertising {
			r.Advertiser = out.Facts.Decree.Advertiser
		}
		if rl := &out.Facts.RateLimit; refused && a.Fault == "" && rl.Limited != "" {
			r.Throttled = rl.Scope + " " + rl.Key
		}
		for _, h := range out.Facts.Lists {
			if req := h.Request(); req != "" && h.Kind == "block" {
				r.Requests = append(r.Requests, h.List+": "+req)
			}
		}
	}
	return r
}

// replyText is "550 5.7.1 text", "" for no reply.
func replyText(r txn.Reply) string {
	if r.Code == 0 {
		return ""
	}
	return r.String()
}

// renderHeaders joins "Name:value" lines with CRLF (values keep their
// leading space and CRLF folding), "" for none.
func renderHeaders(h []txn.Header) string {
	if len(h) == 0 {
		return ""
	}
	b := mailmsg.AppendBlock(nil, h)
	return string(b[:len(b)-4]) // the last field's CRLF and the empty line
}

func lastValue(h []txn.Header, name string) string {
	for i := len(h) - 1; i >= 0; i-- {
		if strings.EqualFold(h[i].Name, name) {
			return h[i].Value
		}
	}
	return ""
}

// fromAddress is the first address of a From value, lower-cased; the raw
// value trimmed when it does not parse.
func fromAddress(v string) string {
	if list, err := mailmsg.ParseAddressList(v); err == nil && len(list) > 0 {
		return NormalizeAddress(list[0].Addr)
	}
	return NormalizeAddress(strings.TrimSpace(mailmsg.Unfold(v)))
}

// decreeArticle finds "Art. 18", "Art. 20.1" in a Decree 91 rule's ref.
var decreeArticle = regexp.MustCompile(`\d+(?:\.\d+)*`)

// articles are the Decree 91/2020 articles the matched rules cite, in
// order, without repeats: "Art. 18", "Art. 13.5".
func articles(ms []txn.Match) []string {
	var out []string
	for _, m := range ms {
		_, rest, ok := strings.Cut(m.Ref, "Decree 91/2020")
		if !ok {
			continue
		}
		_, arts, ok := strings.Cut(rest, "Art.")
		if !ok {
			continue
		}
		for _, n := range decreeArticle.FindAllString(arts, -1) {
			if a := "Art. " + n; !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}
