package milter

import (
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"milter91/internal/archive"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// archiveRecord hands the message as answered to Options.Archive
// (Decree 91/2020 Art. 10.6); the hook must not block.
func (s *Server) archiveRecord(conn txn.Conn, msg *message, out *txn.Outcome, d decision, fields []txn.Header) {
	if s.opts.Archive == nil || msg == nil {
		return
	}
	r := archive.Record{
		Time:       time.Now().UTC(),
		QueueID:    msg.macros["i"],
		ClientIP:   addrString(conn),
		ClientName: conn.ClientName,
		HELO:       conn.HELO,
		MailFrom:   msg.from,
		Rcpts:      slices.Clone(msg.rcpts),
		Action:     d.action.String(),
		Reply:      replyText(d.reply),
		Size:       msg.size(),
	}
	r.Header = renderHeaders(fields)
	r.MessageID = archive.NormalizeMessageID(lastValue(fields, "Message-ID"))
	r.From = fromAddress(lastValue(fields, "From"))
	r.Subject = strings.TrimSpace(mailmsg.Unfold(lastValue(fields, "Subject")))
	refused := d.action == txn.ActionReject || d.action == txn.ActionTempfail
	switch {
	case d.atRCPT:
		r.Stage, r.BlockedClient = archive.StageRCPT, true
	case out != nil && refused && d.fault == nil && msg.macros["auth_authen"] == "":
		r.BlockedClient = out.Facts.ClientListed()
	}
	if out != nil {
		r.Score = out.Verdict.Score
		r.Rules = out.Verdict.RuleIDs()
		r.Articles = articles(out.Verdict.Matches)
		r.Direction = out.Facts.Decree.Direction
		if out.Facts.Decree.Advertising {
			r.Advertiser = out.Facts.Decree.Advertiser
		}
	}
	s.opts.Archive(r)
}

// replyText is "550 5.7.1 text", "" for no reply.
func replyText(r txn.Reply) string {
	if r.Code == 0 {
		return ""
	}
	return r.String()
}

// renderHeaders joins "Name:value" lines with CRLF (values keep their
// leading space and CRLF folding).
func renderHeaders(h []txn.Header) string {
	var b strings.Builder
	for i, f := range h {
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString(f.Name)
		b.WriteByte(':')
		b.WriteString(f.Value)
	}
	return b.String()
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
	v = strings.TrimSpace(mailmsg.Unfold(v))
	if list, err := netmail.ParseAddressList(v); err == nil && len(list) > 0 {
		return archive.NormalizeAddress(list[0].Address)
	}
	return archive.NormalizeAddress(v)
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
