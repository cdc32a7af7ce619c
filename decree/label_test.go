package decree

import (
	"testing"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

func TestSubjectDecoding(t *testing.T) {
	cases := []struct {
		name, raw, want string
	}{
		{name: "raw UTF-8", raw: "  [QC] Ưu đãi", want: "[QC] Ưu đãi"},
		{name: "base64", raw: " =?UTF-8?B?W1FDXSDGr3UgxJHDo2k=?=", want: "[QC] Ưu đãi"},
		{name: "quoted-printable", raw: " =?utf-8?q?=5BQC=5D_=C6=AFu_=C4=91=C3=A3i?=", want: "[QC] Ưu đãi"},
		{name: "folded between words", raw: " =?UTF-8?Q?=5BQC=5D_?=\r\n =?UTF-8?Q?=C6=AFu_=C4=91=C3=A3i?=", want: "[QC] Ưu đãi"},
		// windows-1258 with combining tone marks: ã is a + U+0303 (0xDE);
		// NFC must give the precomposed letter.
		{name: "windows-1258 NFC", raw: " =?windows-1258?Q?=5BQC=5D_ma=DEi?=", want: "[QC] mãi"},
		{name: "unknown charset keeps raw", raw: " =?x-no-such?Q?abc?=", want: "=?x-no-such?Q?abc?="},
		{name: "leading encoded space", raw: " =?UTF-8?Q?_=5BAD=5D_Sale?=", want: "[AD] Sale"},
		{name: "empty", raw: "", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := &txn.Transaction{Headers: []txn.Header{{Name: "Subject", Value: tc.raw}}}
			if got := subject(mailmsg.NewView(tr.Headers)); got != tc.want {
				t.Errorf("subject = %q, want %q", got, tc.want)
			}
		})
	}
	if got := subject(mailmsg.NewView(nil)); got != "" {
		t.Errorf("no Subject: %q", got)
	}
}

func TestClassifyLabel(t *testing.T) {
	l, err := newLabeler([]string{"[QC]", "[AD]"}, []string{"[ADV]"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		subject, label, text string
	}{
		{subject: "[QC] Khuyến mãi", label: txn.LabelOK, text: "[QC]"},
		{subject: "[AD]Autumn sale", label: txn.LabelOK, text: "[AD]"},
		{subject: "[QC][ADV] both", label: txn.LabelOK, text: "[QC]"},
		{subject: "Re: [QC] Khuyến mãi", label: txn.LabelOK, text: "[QC]"},
		{subject: "RE: Fwd: [QC] Khuyến mãi", label: txn.LabelOK, text: "[QC]"},
		{subject: "Trả lời: [qc] Khuyến mãi", label: txn.LabelNonstandard, text: "[qc]"},
		{subject: "Re: Ưu đãi [QC]", label: txn.LabelMisplaced, text: "[QC]"},
		{subject: "Re [QC] no colon", label: txn.LabelMisplaced, text: "[QC]"},
		{subject: "Sale [AD] then [QC]", label: txn.LabelMisplaced, text: "[AD]"},
		{subject: "[ADV] Khuyến mãi", label: txn.LabelLegacy, text: "[ADV]"},
		{subject: "[adv] sale", label: txn.LabelLegacy, text: "[adv]"},
		{subject: "(ADV) sale", label: txn.LabelLegacy, text: "(ADV)"},
		{subject: "Tin mới [ADV]", label: txn.LabelLegacy, text: "[ADV]"},
		{subject: "[ADV] Tin [QC]", label: txn.LabelLegacy, text: "[ADV]"},
		{subject: "[qc] Khuyến mãi", label: txn.LabelNonstandard, text: "[qc]"},
		{subject: "[Qc] Khuyến mãi", label: txn.LabelNonstandard, text: "[Qc]"},
		{subject: "【QC】Khuyến mãi", label: txn.LabelNonstandard, text: "【QC】"},
		{subject: "［QC］ Khuyến mãi", label: txn.LabelNonstandard, text: "［QC］"},
		{subject: "［ＡＤ］ sale", label: txn.LabelNonstandard, text: "［ＡＤ］"},
		{subject: "(QC) Khuyến mãi", label: txn.LabelNonstandard, text: "(QC)"},
		{subject: "{AD} sale", label: txn.LabelNonstandard, text: "{AD}"},
		{subject: "<QC> sale", label: txn.LabelNonstandard, text: "<QC>"},
		{subject: "[ QC ] sale", label: txn.LabelNonstandard, text: "[ QC ]"},
		{subject: "[Q C] sale", label: txn.LabelNonstandard, text: "[Q C]"},
		{subject: "[QC) sale", label: txn.LabelNonstandard, text: "[QC)"},
		{subject: "Windows (AD) migration", label: txn.LabelMissing},
		{subject: "Sale [qc]", label: txn.LabelMissing},
		{subject: "[QC sale", label: txn.LabelMissing},
		{subject: "[QCX] sale", label: txn.LabelMissing},
		{subject: "[dev] build fails", label: txn.LabelMissing},
		{subject: "QC report", label: txn.LabelMissing},
		{subject: "", label: txn.LabelMissing},
	}
	for _, tc := range cases {
		t.Run(tc.subject, func(t *testing.T) {
			label, text := l.classify(tc.subject)
			if label != tc.label || text != tc.text {
				t.Errorf("classify = %q %q, want %q %q", label, text, tc.label, tc.text)
			}
		})
	}
}

func TestNewAnalyzerErrors(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Config)
	}{
		{name: "no labels", modify: func(c *Config) { c.Labels = nil }},
		{name: "blank label", modify: func(c *Config) { c.Labels = []string{"[QC]", " "} }},
		{name: "label with spaces", modify: func(c *Config) { c.Labels = []string{" [QC]"} }},
		{name: "unbracketed legacy", modify: func(c *Config) { c.LegacyLabels = []string{"ADV"} }},
		{name: "no refusal phrases", modify: func(c *Config) { c.RefusalPhrases = nil }},
		{name: "blank phrase", modify: func(c *Config) { c.AdPhrases = append(c.AdPhrases, "  ") }},
		{name: "blank header", modify: func(c *Config) { c.AdHeaders = []string{""} }},
		{name: "negative cap", modify: func(c *Config) { c.MaxTextBytes = -1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.modify(&cfg)
			if _, err := NewAnalyzer(cfg); err == nil {
				t.Error("NewAnalyzer accepted the config")
			}
		})
	}
	cfg := DefaultConfig()
	cfg.MaxTextBytes = 0
	a, err := NewAnalyzer(cfg)
	if err != nil || a.cfg.MaxTextBytes != DefaultMaxTextBytes {
		t.Errorf("MaxTextBytes 0: %v, %d", err, a.cfg.MaxTextBytes)
	}
}
