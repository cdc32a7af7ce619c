package decree

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultMaxTextBytes is the default Config.MaxTextBytes: the last
// 256 KiB of decoded text per text part. The opt-out block and the
// advertiser information sit at the end (Art. 19, 20.1.a); a longer tail
// only adds cost on the largest newsletters, which dominated the daemon's
// CPU in the load test.
const DefaultMaxTextBytes = 256 << 10

// Config holds what the analysis of one message may be tuned with. Phrase
// lists are matched case- and diacritics-insensitively ("khuyến mãi" also
// matches "KHUYEN MAI" and "khuyến mại"), on word boundaries ("sale" does
// not match "wholesale"); phrases equal after folding count once.
type Config struct {
	// Labels are the compliant Subject labels, matched exactly (case
	// included) at the start of the Subject (Decree 91/2020 Art. 18.2–18.3).
	// Default ["[QC]", "[AD]"]. Must not be empty.
	Labels []string
	// LegacyLabels are obsolete labels (Decree 90/2008 "[ADV]"), matched
	// case-insensitively anywhere in the Subject, in any bracket style.
	// Default ["[ADV]"].
	LegacyLabels []string
	// AdHeaders are header field names whose presence is a bulk-mail signal
	// (ESP campaign headers), compared case-insensitively. Each present one
	// yields the signal "header:<lower-case name>".
	AdHeaders []string
	// AdPhrases are marketing phrases looked for in the Subject and in the
	// analysed text part; each found one yields "phrase:<phrase as given>".
	AdPhrases []string
	// TransactionalPhrases, found in the Subject, mark transactional mail
	// (order confirmation, password reset, invoice, shipping notice): such a
	// message is an ad only with a label or with a marketing phrase in its
	// Subject (Art. 3.1 covers mail that introduces goods to the public).
	TransactionalPhrases []string
	// RefusalPhrases are the opt-out statements (Art. 20.1.b) looked for in
	// the analysed text part.
	RefusalPhrases []string
	// MaxTextBytes caps the decoded bytes kept per text part: a longer part
	// keeps its last MaxTextBytes bytes, where the opt-out block sits
	// (Art. 20.1.a). 0 means DefaultMaxTextBytes; negative is an error.
	MaxTextBytes int
}

// DefaultConfig returns the defaults: labels of Decree 91/2020 Art. 18.3,
// the Decree 90/2008 legacy label, common ESP campaign headers, and
// Vietnamese/English phrase lists (docs/decree-analysis.md lists them).
func DefaultConfig() Config {
	return Config{
		Labels:       []string{"[QC]", "[AD]"},
		LegacyLabels: []string{"[ADV]"},
		AdHeaders: []string{
			"X-Campaign-ID", "X-CampaignID", "X-Campaign", "X-Mailer-Campaign",
			"X-MC-User", "X-SG-EID", "X-Mailgun-Tag", "Feedback-ID",
		},
		AdPhrases: []string{
			"khuyến mãi", "giảm giá", "ưu đãi", "quà tặng",
			"miễn phí", "mua ngay", "giá sốc", "xả hàng", "sale",
			"special offer", "limited time", "discount", "% off", "promo code",
			"coupon", "voucher", "free shipping", "shop now", "buy now",
		},
		TransactionalPhrases: []string{
			"đơn hàng", "hóa đơn", "mật khẩu", "mã xác nhận", "mã xác thực",
			"OTP", "giao hàng", "vận chuyển", "thanh toán", "biên lai",
			"order", "invoice", "receipt", "password", "verification",
			"verify", "shipping confirmation", "has shipped", "delivery",
			"payment", "security alert",
		},
		RefusalPhrases: []string{
			"từ chối nhận", "hủy đăng ký", "ngừng nhận", "không muốn nhận",
			"dừng nhận", "hủy nhận",
			"unsubscribe", "opt out", "opt-out", "refuse", "stop receiving",
			"no longer wish to receive",
		},
		MaxTextBytes: DefaultMaxTextBytes,
	}
}

// validate checks cfg and returns a copy with defaults filled in.
func (cfg Config) validate() (Config, error) {
	if len(cfg.Labels) == 0 {
		return cfg, errors.New("decree: no labels configured (Art. 18.3 requires [QC]/[AD])")
	}
	for _, list := range [][]string{cfg.Labels, cfg.LegacyLabels} {
		for _, l := range list {
			if strings.TrimSpace(l) != l || l == "" {
				return cfg, fmt.Errorf("decree: label %q is empty or has surrounding spaces", l)
			}
		}
	}
	if len(cfg.RefusalPhrases) == 0 {
		return cfg, errors.New("decree: no refusal phrases configured (Art. 20.1)")
	}
	lists := map[string][]string{
		"ad phrase": cfg.AdPhrases, "transactional phrase": cfg.TransactionalPhrases,
		"refusal phrase": cfg.RefusalPhrases, "ad header": cfg.AdHeaders,
	}
	for what, list := range lists {
		for _, p := range list {
			if foldString(p) == "" {
				return cfg, fmt.Errorf("decree: empty %s %q", what, p)
			}
		}
	}
	switch {
	case cfg.MaxTextBytes < 0:
		return cfg, fmt.Errorf("decree: negative MaxTextBytes %d", cfg.MaxTextBytes)
	case cfg.MaxTextBytes == 0:
		cfg.MaxTextBytes = DefaultMaxTextBytes
	}
	return cfg, nil
}
