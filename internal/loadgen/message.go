package loadgen

import (
	"encoding/base64"
	"fmt"
	"html"
	"math/rand/v2"
	"mime"
	"strings"
	"time"
)

// Kinds of generated message (Entry.Kind).
const (
	KindPlain         = "plain"         // personal or business mail
	KindTransactional = "transactional" // order notice: not an ad
	KindAd            = "ad"            // Decree 91 ad: [QC] label, full opt-out block
	KindAdUnlabelled  = "ad-unlabelled" // ad without label (Art. 18)
	KindAdIncomplete  = "ad-incomplete" // [QC] ad lacking the phone channel and address
)

// lineWidth is where generated text and base64 lines wrap (RFC 5322 §2.1.1
// recommends 78 characters).
const lineWidth = 76

var (
	viWords = strings.Fields("chúng tôi xin gửi đến quý khách thông tin sản phẩm mới nhất của cửa hàng với " +
		"chất lượng tốt giá hợp lý giao hàng nhanh trên toàn quốc hỗ trợ đổi trả trong ba mươi ngày cảm ơn " +
		"đã tin tưởng và đồng hành cùng chúng tôi trong suốt thời gian qua")
	enWords = strings.Fields("the meeting notes from last week are attached please review the draft and " +
		"send your comments before friday we will discuss the budget schedule and next steps with the " +
		"team thanks for your help on this project")
)

// msgSpec is what one generated message is made of.
type msgSpec struct {
	kind     string
	from     string // address
	fromName string
	to       []string
	date     time.Time
	msgID    string
	bodySize int  // wanted body size in bytes
	html     bool // multipart/alternative text + HTML
	vi       bool // Vietnamese text (UTF-8, 8bit)
	seq      int
}

// isAd reports whether kind is one of the advertising kinds.
func isAd(kind string) bool {
	return kind == KindAd || kind == KindAdUnlabelled || kind == KindAdIncomplete
}

// headerFields returns the header of the message, Content-Type last so
// that the body builder can set it.
func headerFields(s msgSpec) []field {
	fields := []field{
		{name: "From", value: " " + encodeWords(s.fromName) + " <" + s.from + ">"},
		{name: "To", value: " " + strings.Join(s.to, ",\r\n ")},
		{name: "Subject", value: " " + encodeWords(subject(s))},
		{name: "Date", value: " " + s.date.Format(time.RFC1123Z)},
		{name: "Message-ID", value: " <" + s.msgID + ">"},
		{name: "MIME-Version", value: " 1.0"},
	}
	if isAd(s.kind) {
		domain := domainOf(s.from)
		fields = append(fields,
			field{name: "List-Unsubscribe", value: fmt.Sprintf(" <https://%s/huy-dang-ky?u=%d>,\r\n <mailto:unsub@%s>", domain, s.seq, domain)},
			field{name: "List-Unsubscribe-Post", value: " List-Unsubscribe=One-Click"},
			field{name: "List-Id", value: " <khuyenmai." + domain + ">"})
	}
	return fields
}

// encodeWords returns text as RFC 2047 encoded words when it is not
// ASCII, one word per folded line (RFC 2047 §2 limits a word to 75
// characters, RFC 5322 §2.1.1 lines to 78).
func encodeWords(text string) string {
	return strings.ReplaceAll(mime.BEncoding.Encode("utf-8", text), "?= =?", "?=\r\n =?")
}

// subject returns the decoded Subject of s.
func subject(s msgSpec) string {
	n := s.seq%40 + 10
	switch {
	case s.kind == KindAd || s.kind == KindAdIncomplete:
		return fmt.Sprintf("[QC] Khuyến mãi tháng này: giảm %d%% cho khách hàng thân thiết", n)
	case s.kind == KindAdUnlabelled:
		return fmt.Sprintf("Ưu đãi cuối tuần: giảm giá %d%% toàn bộ sản phẩm", n)
	case s.kind == KindTransactional && s.vi:
		return fmt.Sprintf("Đơn hàng #%d đã được giao cho đơn vị vận chuyển", s.seq)
	case s.kind == KindTransactional:
		return fmt.Sprintf("Your order #%d has shipped", s.seq)
	case s.vi:
		return fmt.Sprintf("Lịch họp tuần %d", n)
	}
	return fmt.Sprintf("Notes from the meeting, week %d", n)
}

// compose returns the header fields (with Content-Type) and the body of
// the message, CRLF line ends, the body about s.bodySize bytes.
func compose(rng *rand.Rand, s msgSpec) ([]field, []byte) {
	fields := headerFields(s)
	charset, cte := "us-ascii", "7bit"
	if s.vi || isAd(s.kind) {
		charset, cte = "utf-8", "8bit"
	}
	textType := "text/plain; charset=" + charset
	switch {
	case s.bodySize > 64*1024:
		b := boundary(rng)
		text := textBody(rng, s, min(3000, s.bodySize/8))
		var body strings.Builder
		fmt.Fprintf(&body, "--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s", b, textType, cte, text)
		name := fmt.Sprintf("tai-lieu-%d.pdf", s.seq)
		fmt.Fprintf(&body, "--%s\r\nContent-Type: application/pdf; name=%q\r\nContent-Disposition: attachment; filename=%q\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", b, name, name)
		body.WriteString(base64Lines(rng, s.bodySize-body.Len()-len(b)-8))
		fmt.Fprintf(&body, "--%s--\r\n", b)
		return append(fields, field{name: "Content-Type", value: fmt.Sprintf(" multipart/mixed; boundary=%q", b)}), []byte(body.String())
	case s.html:
		b := boundary(rng)
		text := textBody(rng, s, (s.bodySize-400)*10/21)
		body := fmt.Sprintf("--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s"+
			"--%s\r\nContent-Type: text/html; charset=%s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s--%s--\r\n",
			b, textType, cte, text, b, charset, cte, htmlBody(text), b)
		return append(fields, field{name: "Content-Type", value: fmt.Sprintf(" multipart/alternative; boundary=%q", b)}), []byte(body)
	}
	fields = append(fields, field{name: "Content-Transfer-Encoding", value: " " + cte},
		field{name: "Content-Type", value: " " + textType})
	return fields, []byte(textBody(rng, s, s.bodySize))
}

// textBody returns the text of s: greeting, filler paragraphs up to about
// n bytes in all, then the signature, or for an ad the advertiser's details
// and the opt-out block (Decree 91/2020 Art. 19, 20), which must end the text.
func textBody(rng *rand.Rand, s msgSpec, n int) string {
	words, greeting := enWords, "Hello,"
	if s.vi || isAd(s.kind) {
		words, greeting = viWords, "Kính gửi quý khách,"
	}
	footer := footerText(s)
	var b strings.Builder
	b.WriteString(greeting + "\r\n\r\n")
	if isAd(s.kind) {
		b.WriteString("Chương trình khuyến mãi lớn nhất năm: ưu đãi đặc biệt, mua ngay hôm nay!\r\n\r\n")
	}
	for b.Len()+len(footer) < n {
		b.WriteString(paragraph(rng, words))
	}
	b.WriteString(footer)
	return b.String()
}

// footerText is the end of the text: a signature, or the ad's
// advertiser details and opt-out block with its channels.
func footerText(s msgSpec) string {
	domain := domainOf(s.from)
	switch s.kind {
	case KindAd, KindAdUnlabelled:
		return "Công ty TNHH Cửa Hàng Ví Dụ\r\n" +
			"Địa chỉ: 12 đường Ví Dụ, phường Bến Nghé, quận 1, TP. Hồ Chí Minh\r\n" +
			"Điện thoại: 028 3812 3456 - Email: lienhe@" + domain + "\r\n\r\n" +
			"Quý khách có quyền từ chối nhận thư quảng cáo từ chúng tôi.\r\n" +
			fmt.Sprintf("Hủy đăng ký: https://%s/huy-dang-ky?u=%d | unsub@%s | 1900 1234\r\n", domain, s.seq, domain)
	case KindAdIncomplete:
		return "Công ty TNHH Cửa Hàng Ví Dụ\r\n\r\n" +
			"Quý khách có quyền từ chối nhận thư quảng cáo từ chúng tôi.\r\n" +
			fmt.Sprintf("Hủy đăng ký: https://%s/huy-dang-ky?u=%d\r\n", domain, s.seq)
	}
	return "\r\n-- \r\n" + s.fromName + "\r\n"
}

// paragraph returns 3 to 6 wrapped lines of random words and an empty line.
func paragraph(rng *rand.Rand, words []string) string {
	var b strings.Builder
	for range 3 + rng.IntN(4) {
		line := words[rng.IntN(len(words))]
		for {
			w := words[rng.IntN(len(words))]
			if len(line)+1+len(w) > lineWidth {
				break
			}
			line += " " + w
		}
		b.WriteString(line + "\r\n")
	}
	return b.String() + "\r\n"
}

// htmlBody renders text (CRLF lines) as a simple HTML document.
func htmlBody(text string) string {
	var b strings.Builder
	b.WriteString("<html><body>\r\n")
	for line := range strings.SplitSeq(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		b.WriteString(html.EscapeString(line) + "<br>\r\n")
	}
	b.WriteString("</body></html>\r\n")
	return b.String()
}

// base64Lines returns random bytes base64-encoded in lines of lineWidth
// characters, about n bytes in all (at least one line).
func base64Lines(rng *rand.Rand, n int) string {
	lines := max(1, n/(lineWidth+2))
	raw := make([]byte, lines*lineWidth/4*3)
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	var b strings.Builder
	for len(enc) > 0 {
		k := min(lineWidth, len(enc))
		b.WriteString(enc[:k] + "\r\n")
		enc = enc[k:]
	}
	return b.String()
}

// boundary returns a random MIME boundary (RFC 2046 §5.1.1).
func boundary(rng *rand.Rand) string { return fmt.Sprintf("=_lg_%016x", rng.Uint64()) }

// domainOf returns the domain part of an address.
func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return d
}

// render returns the message bytes: the fields in order, then the body.
func render(fields []field, body []byte) []byte {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f.name + ":" + f.value + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return []byte(b.String())
}
