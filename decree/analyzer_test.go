package decree

import (
	"slices"
	"strings"
	"testing"

	"milter91/internal/txn"
)

var (
	all3     = []string{txn.ChannelWeb, txn.ChannelEmail, txn.ChannelPhone}
	allInfo  = []string{txn.InfoName, txn.InfoPhone, txn.InfoEmail, txn.InfoAddress}
	giamGia  = []string{SignalLabel, SignalOptOutBlock, "phrase:giảm giá"}
	huyMbox  = []string{"huy@example.com"}
	shopAdID = "example.com"
)

// fixtureCase is what one testdata message must analyse to. Fields left
// nil expect an empty list.
type fixtureCase struct {
	file        string
	label, text string
	ad          bool
	signals     []string
	optOut      bool
	channels    []string
	info        []string
	mailboxes   []string
	advertiser  string
}

// compliant is the expectation for a labelled Vietnamese ad with complete
// advertiser info and all three channels (the generated fixtures).
func compliant(file, label, text string) fixtureCase {
	return fixtureCase{
		file: file, label: label, text: text, ad: true, signals: giamGia, optOut: true,
		channels: all3, info: allInfo, mailboxes: huyMbox, advertiser: shopAdID,
	}
}

// channelCase is the expectation for an optout-*.eml fixture.
func channelCase(file string, channels []string, mailboxes []string) fixtureCase {
	c := compliant(file, txn.LabelOK, "[QC]")
	c.channels, c.mailboxes = channels, mailboxes
	return c
}

// infoCase is the expectation for an info-*.eml fixture.
func infoCase(file string, info []string) fixtureCase {
	c := compliant(file, txn.LabelOK, "[QC]")
	c.info = info
	return c
}

// adCases: the advertising fixtures.
func adCases() []fixtureCase {
	misplaced := compliant("label-misplaced.eml", txn.LabelMisplaced, "[QC]")
	misplaced.signals = []string{SignalLabel, SignalOptOutBlock, "phrase:giảm giá", "phrase:ưu đãi"}
	okQC := compliant("label-ok-qc.eml", txn.LabelOK, "[QC]")
	okQC.signals = []string{SignalLabel, SignalListUnsubscribe, SignalOptOutBlock, "phrase:giảm giá"}
	okQC.mailboxes = []string{"unsub@shop.example.com", "huy@example.com"}
	missingAd := compliant("label-missing-ad.eml", txn.LabelMissing, "")
	missingAd.signals = []string{SignalListUnsubscribe, SignalOptOutBlock, "phrase:giảm giá"}
	missingAd.mailboxes = okQC.mailboxes
	noBlock := compliant("optout-none.eml", txn.LabelOK, "[QC]")
	noBlock.signals = []string{SignalLabel, "phrase:giảm giá"}
	// Art. 19 is checked without an opt-out block too: the information
	// at the end of the text counts.
	noBlock.optOut, noBlock.channels, noBlock.mailboxes = false, nil, nil
	html := compliant("html-only.eml", txn.LabelOK, "[QC]")
	html.signals = []string{SignalLabel, SignalOptOutBlock, "phrase:mua ngay", "phrase:sale"}
	fallback := html
	fallback.file = "alternative-htmlfallback.eml"
	cp1258 := compliant("vi-windows1258.eml", txn.LabelOK, "[QC]")
	cp1258.signals = []string{SignalLabel, SignalOptOutBlock, "phrase:khuyến mãi", "phrase:giảm giá"}
	english := compliant("english-ad.eml", txn.LabelOK, "[AD]")
	english.signals = []string{SignalLabel, SignalOptOutBlock, "phrase:sale", "phrase:% off", "phrase:shop now"}
	english.mailboxes = []string{"unsubscribe@example.com"}
	return []fixtureCase{
		okQC, misplaced, missingAd, noBlock, html, fallback, cp1258, english,
		compliant("label-legacy.eml", txn.LabelLegacy, "[ADV]"),
		compliant("label-nonstandard-lower.eml", txn.LabelNonstandard, "[qc]"),
		compliant("label-nonstandard-fullwidth.eml", txn.LabelNonstandard, "【QC】"),
		compliant("label-nonstandard-widebracket.eml", txn.LabelNonstandard, "［QC］"),
		compliant("alternative-plain.eml", txn.LabelOK, "[QC]"),
		channelCase("optout-statement-only.eml", nil, nil),
		channelCase("optout-web.eml", []string{"web"}, nil),
		channelCase("optout-email.eml", []string{"email"}, huyMbox),
		channelCase("optout-phone.eml", []string{"phone"}, nil),
		channelCase("optout-web-email.eml", []string{"web", "email"}, huyMbox),
		channelCase("optout-web-phone.eml", []string{"web", "phone"}, nil),
		channelCase("optout-email-phone.eml", []string{"email", "phone"}, huyMbox),
		channelCase("optout-web-email-phone.eml", all3, huyMbox),
		infoCase("info-no-name.eml", []string{"phone", "email", "address"}),
		infoCase("info-no-phone.eml", []string{"name", "email", "address"}),
		infoCase("info-no-email.eml", []string{"name", "phone", "address"}),
		infoCase("info-no-address.eml", []string{"name", "phone", "email"}),
		infoCase("info-after-block.eml", nil),
		{
			// "Re:" but sent in bulk with a marketing phrase: still an ad.
			file: "reply-bulk-ad.eml", label: txn.LabelMissing, ad: true,
			signals:   []string{SignalListUnsubscribe, "phrase:khuyến mãi", "phrase:mua ngay"},
			mailboxes: []string{"unsub@shop.example.com"}, advertiser: shopAdID,
		},
		{
			// An order confirmation with a promotional section ("Ưu đãi
			// 10% cho đơn hàng tiếp theo"): the decree has no
			// transactional exemption (Art. 3.1).
			file: "order-confirmation-listunsub.eml", label: txn.LabelMissing, ad: true,
			signals: []string{SignalListUnsubscribe, SignalListUnsubscribePost, "header:feedback-id",
				SignalOptOutBlock, "phrase:ưu đãi"},
			optOut: true, channels: []string{"web"}, mailboxes: []string{"unsub@shop.example.com"},
			advertiser: shopAdID,
		},
	}
}

// nonAdCases: transactional, personal and mailing-list mail.
func nonAdCases() []fixtureCase {
	return []fixtureCase{
		{
			file: "order-confirmation.eml", label: txn.LabelMissing, signals: []string{"phrase:ưu đãi"},
			advertiser: shopAdID,
		},
		{file: "password-reset.eml", label: txn.LabelMissing, advertiser: shopAdID},
		{
			file: "password-reset-listunsub.eml", label: txn.LabelMissing,
			signals: []string{SignalListUnsubscribe, "header:x-sg-eid", SignalOptOutBlock},
			optOut:  true, channels: []string{"web"}, advertiser: shopAdID,
		},
		{
			file: "personal.eml", label: txn.LabelMissing,
			signals: []string{"phrase:khuyến mãi", "phrase:giảm giá"}, info: []string{"phone"},
			advertiser: "example.net",
		},
		// Replies and forwards of an ad by a user: no header bulk signal.
		{
			// No Subject prefix: In-Reply-To alone makes it a reply, so
			// the quoted opt-out block and phrases do not make an ad.
			file: "reply-in-reply-to.eml", label: txn.LabelMissing,
			signals: []string{SignalOptOutBlock, "phrase:khuyến mãi", "phrase:giảm giá"},
			optOut:  true, channels: []string{"email"}, mailboxes: huyMbox, advertiser: "example.net",
		},
		{
			file: "reply-re.eml", label: txn.LabelOK, text: "[QC]",
			signals: []string{SignalLabel, "phrase:khuyến mãi"}, advertiser: "example.net",
		},
		{
			// The forwarded From line puts an address above the block.
			file: "reply-fwd.eml", label: txn.LabelOK, text: "[QC]",
			signals: []string{SignalLabel, SignalOptOutBlock, "phrase:khuyến mãi", "phrase:giảm giá"},
			optOut:  true, channels: []string{"web"}, info: []string{"email"}, advertiser: "example.net",
		},
		{
			// Subject is unpadded base64 (bug 2 as well).
			file: "reply-tra-loi.eml", label: txn.LabelOK, text: "[QC]",
			signals: []string{SignalLabel, "phrase:ưu đãi"}, advertiser: "example.net",
		},
		{
			file: "mailing-list.eml", label: txn.LabelMissing,
			signals: []string{SignalListUnsubscribe, SignalListID, SignalPrecedenceList, SignalOptOutBlock},
			optOut:  true, channels: []string{"email"},
			mailboxes:  []string{"dev-unsubscribe@lists.example.org", "dev+unsubscribe@lists.example.org"},
			advertiser: "example.org",
		},
	}
}

func TestAnalyzeFixtures(t *testing.T) {
	a := newDefault(t)
	seen := map[string]bool{}
	for _, tc := range slices.Concat(adCases(), nonAdCases()) {
		t.Run(tc.file, func(t *testing.T) {
			seen["testdata/"+tc.file] = true
			tr := loadFixture(t, "testdata/"+tc.file)
			got := a.Analyze(tr, nil, fromDomain(tr))
			checkAnalysis(t, got, tc)
		})
	}
	for _, p := range fixturePaths(t) {
		if !seen[p] {
			t.Errorf("fixture %s has no expectation", p)
		}
	}
}

func checkAnalysis(t *testing.T, got txn.DecreeAnalysis, tc fixtureCase) {
	t.Helper()
	if got.Label != tc.label || got.LabelText != tc.text {
		t.Errorf("label = %q %q, want %q %q", got.Label, got.LabelText, tc.label, tc.text)
	}
	if got.Advertising != tc.ad {
		t.Errorf("Advertising = %v, want %v (signals %q)", got.Advertising, tc.ad, got.Signals)
	}
	if got.OptOut != tc.optOut {
		t.Errorf("OptOut = %v, want %v", got.OptOut, tc.optOut)
	}
	if got.Advertiser != tc.advertiser {
		t.Errorf("Advertiser = %q, want %q", got.Advertiser, tc.advertiser)
	}
	lists := []struct {
		name      string
		got, want []string
	}{
		{name: "Signals", got: got.Signals, want: tc.signals},
		{name: "Channels", got: got.Channels, want: tc.channels},
		{name: "MissingChannels", got: got.MissingChannels, want: missingOf(all3, tc.channels)},
		{name: "Info", got: got.Info, want: tc.info},
		{name: "MissingInfo", got: got.MissingInfo, want: missingOf(allInfo, tc.info)},
		{name: "RefusalMailboxes", got: got.RefusalMailboxes, want: tc.mailboxes},
	}
	for _, l := range lists {
		if !slices.Equal(l.got, l.want) {
			t.Errorf("%s = %q, want %q", l.name, l.got, l.want)
		}
	}
}

func missingOf(all, present []string) []string {
	var out []string
	for _, x := range all {
		if !slices.Contains(present, x) {
			out = append(out, x)
		}
	}
	return out
}

func newDefault(t testing.TB) *Analyzer {
	t.Helper()
	a, err := NewAnalyzer(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// msg builds a transaction from header lines and a body (LF line ends).
func msg(t testing.TB, headers []string, body string) *txn.Transaction {
	t.Helper()
	raw := strings.Join(headers, "\n") + "\n\n" + body
	h, b, err := txn.ReadMessage(strings.NewReader(raw), 0, "")
	if err != nil {
		t.Fatal(err)
	}
	return &txn.Transaction{Headers: h, Body: b}
}

// TestAdvertisingRule covers the Art. 3.1 decision on small messages.
func TestAdvertisingRule(t *testing.T) {
	const lu = "List-Unsubscribe: <https://example.com/u>"
	cases := []struct {
		name    string
		headers []string
		body    string
		want    bool
	}{
		{name: "label alone", headers: []string{"Subject: [QC] Thư mời"}, body: "Xin chào.", want: true},
		{name: "nonstandard label alone", headers: []string{"Subject: (qc) Thư mời"}, body: "Xin chào.", want: true},
		{name: "phrase without bulk signal", headers: []string{"Subject: Giảm giá 50%"}, body: "Xin chào.", want: false},
		{name: "bulk signal without phrase", headers: []string{"Subject: Bản tin tháng 10", lu}, body: "Tin tức.", want: false},
		{name: "phrase and List-Unsubscribe", headers: []string{"Subject: Bản tin", lu}, body: "Khuyến mãi lớn.", want: true},
		{name: "phrase without diacritics", headers: []string{"Subject: Ban tin", lu}, body: "KHUYEN MAI lon.", want: true},
		{name: "phrase and opt-out block", headers: []string{"Subject: Bản tin"}, body: "Ưu đãi.\nHủy đăng ký: https://example.com/u", want: true},
		{name: "phrase and Precedence bulk", headers: []string{"Subject: News", "Precedence: bulk"}, body: "Special offer inside.", want: true},
		{name: "phrase and campaign header", headers: []string{"Subject: News", "X-Campaign-ID: 42"}, body: "Use this coupon.", want: true},
		{name: "transactional subject, phrase in body", headers: []string{"Subject: Your order #12 has shipped", lu}, body: "Coupon for next time.", want: false},
		{name: "transactional subject with phrase", headers: []string{"Subject: Đơn hàng #12 - ưu đãi 10% lần sau", lu}, body: "Cảm ơn.", want: true},
		{name: "word inside another word", headers: []string{"Subject: Wholesale prices", lu}, body: "Wholesale only.", want: false},
		{name: "empty message", headers: nil, body: "", want: false},
		{name: "reply with label", headers: []string{"Subject: Re: [QC] Thư mời"}, body: "Cảm ơn.", want: false},
		{name: "forward with label and quoted block", headers: []string{"Subject: FW: [QC] Thư mời"}, body: "Ưu đãi.\nHủy đăng ký: https://example.com/u", want: false},
		{name: "In-Reply-To with label", headers: []string{"Subject: [QC] Thư mời", "In-Reply-To: <a@example.com>"}, body: "Cảm ơn.", want: false},
		{name: "reply with label and List-Unsubscribe", headers: []string{"Subject: Re: [QC] Thư mời", lu}, body: "Cảm ơn.", want: true},
		{name: "reply with label and Precedence bulk", headers: []string{"Subject: SV: [QC] Thư mời", "Precedence: bulk"}, body: "Cảm ơn.", want: true},
		{name: "reply with label and campaign header", headers: []string{"Subject: AW: [QC] Thư mời", "X-Campaign-ID: 7"}, body: "Cảm ơn.", want: true},
		{name: "Re without colon is no reply", headers: []string{"Subject: Re [QC] Thư mời"}, body: "Cảm ơn.", want: true},
		{name: "blank In-Reply-To is no reply", headers: []string{"Subject: [QC] Thư mời", "In-Reply-To: "}, body: "Cảm ơn.", want: true},
	}
	a := newDefault(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := a.Analyze(msg(t, tc.headers, tc.body), nil, "example.com")
			if got.Advertising != tc.want {
				t.Errorf("Advertising = %v, want %v (signals %q)", got.Advertising, tc.want, got.Signals)
			}
		})
	}
}

// TestAnalyzeDegenerate: no transaction, no body, a body that is not MIME.
func TestAnalyzeDegenerate(t *testing.T) {
	a := newDefault(t)
	nothing := a.Analyze(nil, nil, "")
	if nothing.Label != txn.LabelMissing || nothing.Advertising || nothing.Advertiser != "" ||
		!slices.Equal(nothing.MissingChannels, all3) || !slices.Equal(nothing.MissingInfo, allInfo) {
		t.Errorf("Analyze(nil) = %+v", nothing)
	}
	noBody := &txn.Transaction{Headers: []txn.Header{{Name: "Subject", Value: " [QC] Ưu đãi"}}}
	if got := a.Analyze(noBody, nil, "example.com"); got.Label != txn.LabelOK || got.OptOut {
		t.Errorf("no body: %+v", got)
	}
	broken := msg(t, []string{
		"Subject: =?UTF-8?Q?=5BQC=5D_Khuy=E1=BA=BFn_m=C3=A3i?=",
		"Content-Type: multipart/mixed; boundary=\"never-used\"",
	}, "no boundary line at all\nHủy đăng ký: https://example.com/u\n")
	got := a.Analyze(broken, nil, "example.com")
	if got.Label != txn.LabelOK || got.LabelText != "[QC]" || !got.Advertising {
		t.Errorf("broken multipart: %+v", got)
	}
}

// TestRecipientNotAChannel: the "sent to you@…" line of a footer is not a
// refusal mailbox.
func TestRecipientNotAChannel(t *testing.T) {
	tr := msg(t, []string{"Subject: [QC] Ưu đãi"},
		"Thư này được gửi tới Khach@Example.net.\nĐể hủy đăng ký, gọi 1900 1234.\n")
	tr.Rcpts = []string{"<khach@example.net>"}
	got := newDefault(t).Analyze(tr, nil, "example.com")
	if !slices.Equal(got.Channels, []string{txn.ChannelPhone}) || len(got.RefusalMailboxes) != 0 {
		t.Errorf("Channels %q, RefusalMailboxes %q", got.Channels, got.RefusalMailboxes)
	}
}

// TestMaxTextBytes: a part longer than the cap keeps its end, where the
// opt-out block is.
func TestMaxTextBytes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxTextBytes = 4096
	a, err := NewAnalyzer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	filler := strings.Repeat("Giảm giá lớn cho mọi sản phẩm.\n", 4000)
	footer := "Từ chối nhận: https://example.com/u, huy@example.com, 1900 1234\n"
	got := a.Analyze(msg(t, []string{"Subject: [QC] x"}, filler+footer), nil, "example.com")
	if !got.OptOut || !slices.Equal(got.Channels, all3) {
		t.Errorf("tail of a long part: OptOut %v, Channels %q", got.OptOut, got.Channels)
	}
	got = a.Analyze(msg(t, []string{"Subject: [QC] x"}, footer+filler), nil, "example.com")
	if got.OptOut {
		t.Error("opt-out block before the scanned tail was found")
	}
}
