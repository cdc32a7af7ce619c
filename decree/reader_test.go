package decree

import (
	"slices"
	"strings"
	"testing"

	"milter91/internal/txn"
)

// crlf turns LF line ends into the CRLF of a message.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

const adInfo = "CÔNG TY TNHH EXAMPLE\nĐịa chỉ: Số 1 Đường Láng, Quận Đống Đa, Hà Nội\n" +
	"Điện thoại: 024 3123 4567 - Email: lienhe@example.com\n\n"

// TestReadAsTheReaderSees: what counts is what a reader of the message
// sees, and a channel counts only when it is offered for refusal
// (Decree 91/2020 Art. 19, 20.1–20.2).
func TestReadAsTheReaderSees(t *testing.T) {
	html := []string{"From: Shop <news@example.com>", "Subject: [QC] Ưu đãi", "MIME-Version: 1.0",
		"Content-Type: text/html; charset=utf-8"}
	plain := []string{"From: Shop <news@example.com>", "Subject: [QC] Ưu đãi"}
	alt := []string{"From: Shop <news@example.com>", "Subject: [QC] Ưu đãi", "MIME-Version: 1.0",
		`Content-Type: multipart/alternative; boundary="b"`}
	cases := []struct {
		name           string
		headers        []string
		body           string
		optOut         bool
		channels, info []string
		statement      bool
		evidence       []string
		label          string
	}{
		{
			name:    "image alt text is the refusal statement",
			headers: html,
			body: `<p>Giảm giá 30% tuần này.</p><p>` + strings.ReplaceAll(adInfo, "\n", "<br>") + `</p>` +
				`<p><a href="https://example.com/huy"><img src="x.png" alt="Từ chối nhận quảng cáo"></a>` +
				` hoặc gửi thư tới huy@example.com, gọi 1900 1234</p>`,
			optOut: true, channels: all3, info: allInfo,
		},
		{
			name:    "HTML-only text: the HTML alternative's channels and offer count",
			headers: alt,
			body: "--b\nContent-Type: text/plain; charset=utf-8\n\nXem thư trong trình duyệt.\n" +
				"Hủy đăng ký: https://example.com/huy\n" +
				"--b\nContent-Type: text/html; charset=utf-8\n\n<p>Bộ sưu tập mới, giảm giá 30%.</p><p>" +
				strings.ReplaceAll(adInfo, "\n", "<br>") + "</p><p>Quý khách có quyền từ chối nhận toàn bộ quảng cáo. " +
				"Hủy đăng ký: https://example.com/huy | huy@example.com | 1900 1234</p>\n--b--\n",
			optOut: true, channels: all3, info: allInfo, statement: true,
			evidence: []string{"launch:bộ sưu tập mới", "discount"},
		},
		{
			name:    "a follow-us social link is no refusal channel",
			headers: plain,
			body: adInfo + "Quý khách có quyền từ chối nhận toàn bộ quảng cáo: gửi thư tới huy@example.com hoặc gọi 1900 1234.\n" +
				"Follow us: https://facebook.com/example\n",
			optOut: true, channels: []string{txn.ChannelEmail, txn.ChannelPhone}, info: allInfo, statement: true,
		},
		{
			name:    "a signature's contact phone is no refusal channel",
			headers: plain,
			body: adInfo + "Quý khách có quyền từ chối nhận toàn bộ quảng cáo: https://example.com/huy hoặc huy@example.com.\n\n" +
				"Trân trọng,\nNguyễn Văn A\nĐT: 0901 234 567\n",
			optOut: true, channels: []string{txn.ChannelWeb, txn.ChannelEmail}, info: allInfo, statement: true,
		},
		{
			name:    "a phone after the signature delimiter is no refusal channel",
			headers: plain,
			body: adInfo + "Quý khách có quyền từ chối nhận toàn bộ quảng cáo: https://example.com/huy hoặc huy@example.com.\n" +
				"-- \nAnh Ba, 0901 234 567\n",
			optOut: true, channels: []string{txn.ChannelWeb, txn.ChannelEmail}, info: allInfo, statement: true,
		},
		{
			name:    "Địa chỉ email is no postal address",
			headers: plain,
			body: "CÔNG TY TNHH EXAMPLE\nĐiện thoại: 024 3123 4567\nĐịa chỉ email: lienhe@example.com\n\n" +
				"Quý khách có quyền từ chối nhận toàn bộ quảng cáo: https://example.com/huy | huy@example.com | 1900 1234\n",
			optOut: true, channels: all3, info: []string{txn.InfoName, txn.InfoPhone, txn.InfoEmail}, statement: true,
		},
		{
			name:    "Email address is no postal address",
			headers: plain,
			body: "Example Ltd\nPhone: 024 3123 4567\nEmail address: hello@example.com\n\n" +
				"You have the right to refuse all our advertising: https://example.com/u | u@example.com | 1900 1234\n",
			optOut: true, channels: all3, info: []string{txn.InfoName, txn.InfoPhone, txn.InfoEmail}, statement: true,
		},
		{
			name:    "advertiser information is checked without an opt-out block",
			headers: plain,
			body:    "Giảm giá 30% tuần này.\n\n" + adInfo,
			info:    allInfo,
		},
		{
			name:    "a block without the right to refuse all (Art. 20.1.b)",
			headers: plain,
			body:    adInfo + "Hủy đăng ký: https://example.com/huy | huy@example.com | 1900 1234\n",
			optOut:  true, channels: all3, info: allInfo,
		},
		{
			name:    "Re: [QC] on a campaign is misplaced",
			headers: []string{"From: Shop <news@example.com>", "List-Unsubscribe: <mailto:u@example.com>", "Subject: Re: [QC] Ưu đãi"},
			body:    "Giảm giá 30%.\n",
			label:   txn.LabelMisplaced, info: []string{txn.InfoPhone},
		},
		{
			name: "Re: [QC] answering a message is read past the prefix",
			headers: []string{"From: Shop <news@example.com>", "List-Unsubscribe: <mailto:u@example.com>",
				"In-Reply-To: <q@example.net>", "Subject: Re: [QC] Ưu đãi"},
			body:  "Giảm giá 30%.\n",
			label: txn.LabelOK,
		},
	}
	a := newDefault(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := a.Analyze(msg(t, tc.headers, crlf(tc.body)), []txn.DKIM{}, "example.com")
			if tc.label == "" {
				tc.label = txn.LabelOK
			}
			if got.Label != tc.label {
				t.Errorf("label %q, want %q", got.Label, tc.label)
			}
			if got.OptOut != tc.optOut || got.OptOutStatement != tc.statement {
				t.Errorf("opt-out %v statement %v, want %v %v", got.OptOut, got.OptOutStatement, tc.optOut, tc.statement)
			}
			if tc.label == txn.LabelOK && !slices.Equal(got.Channels, tc.channels) {
				t.Errorf("channels %q, want %q", got.Channels, tc.channels)
			}
			if tc.label == txn.LabelOK && !slices.Equal(got.Info, tc.info) {
				t.Errorf("info %q, want %q", got.Info, tc.info)
			}
			for _, e := range tc.evidence {
				if !slices.Contains(got.Evidence, e) {
					t.Errorf("evidence %q lacks %q", got.Evidence, e)
				}
			}
		})
	}
}
