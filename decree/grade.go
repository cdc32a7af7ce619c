package decree

import (
	"strings"

	"milter91/internal/freemail"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// Evidence names beside the signals (txn.DecreeAnalysis.Evidence and
// Against); a name ending in ":" is followed by the phrase found.
const (
	EvidenceDiscount   = "discount"    // a percentage off
	EvidencePrice      = "price"       // an amount with a currency
	EvidenceLaunch     = "launch:"     // a product launch
	EvidencePreorder   = "preorder:"   // a pre-order
	EvidenceShopLink   = "shop-link:"  // a product, cart or checkout link
	EvidenceNewsletter = "newsletter:" // a newsletter

	AgainstReply         = "reply"           // Re:/Fwd: or In-Reply-To without campaign headers
	AgainstDiscussion    = "discussion-list" // List-Post: members write to the list
	AgainstTransactional = "transactional:"  // a transactional Subject (order, OTP, …)
	AgainstOTP           = "otp"             // a one-time code in the text
	AgainstNotice        = "public-notice:"  // a relief appeal, a school or power-cut notice
	AgainstPersonal      = "personal"        // few recipients, no bulk marks
	AgainstWebmail       = "webmail-sender"  // the advertiser id is a shared mailbox provider
)

// personalRcpts is the most envelope recipients personal mail has in the
// grade: more, without bulk marks, is a hand-made mailing. Personal mail
// is not sent to the public (Art. 3.1): it is likely an ad only with
// personalKinds commercial kinds ("Introducing …, pre-order at
// <shop link> for $499"), not for a sale mentioned to a friend.
const (
	personalRcpts = 3
	personalKinds = 3
)

// adInput is what the grade of one message is decided from.
type adInput struct {
	label, reply, discussion, optOut, webmail bool
	bulk                                      []string // header bulk signals
	rcpts                                     int
	transactional                             string // the transactional Subject phrase, if any
	otp                                       bool
	notice                                    string
	phrases                                   []string // ad phrases found, as configured
	discount, price                           bool
	launch, preorder, shop, newsletter        string
}

// offerEvidence fills the commercial and transactional evidence of in
// from the folded Subject fsubj, the scans (Subject first) and the
// candidates' texts (the price at their start, headScanBytes; the ad
// phrases and the discount everywhere).
func (a *Analyzer) offerEvidence(in *adInput, fsubj string, cands []candidate, scans []*phraseScan) {
	for i, name := range a.body.names[groupAd] {
		for _, sc := range scans {
			if sc.found[groupAd][i] {
				in.phrases = append(in.phrases, name)
				break
			}
		}
	}
	pg := a.head
	in.launch, in.preorder = pg.first(groupLaunch, scans...), pg.first(groupPreorder, scans...)
	in.shop, in.newsletter = pg.first(groupShop, scans...), pg.first(groupNewsletter, scans...)
	in.notice = pg.first(groupNotice, scans...)
	in.otp = pg.first(groupOTP, scans...) != ""
	in.discount, in.price = hasDiscount(fsubj), hasPrice(fsubj)
	for _, c := range cands {
		// A promotional section closes many a receipt: the discount is
		// looked for everywhere ('%' is found by IndexByte).
		in.discount = in.discount || hasDiscount(c.text.text)
		in.price = in.price || hasPrice(c.text.text[:min(len(c.text.text), headScanBytes)])
	}
}

// signals returns the Signals list (decree91.signal): label, header
// bulk signals, optout-block, phrase:*.
func (in *adInput) signals() []string {
	var sigs []string
	if in.label {
		sigs = append(sigs, SignalLabel)
	}
	sigs = append(sigs, in.bulk...)
	if in.optOut {
		sigs = append(sigs, SignalOptOutBlock)
	}
	for _, p := range in.phrases {
		sigs = append(sigs, SignalPhrasePrefix+p)
	}
	return sigs
}

// grade decides the grade of the advertising evidence (Decree 91/2020
// Art. 3.1) and lists the evidence for and against, in this order:
//   - a reply or forward without campaign headers is none (a user
//     answering or forwarding an ad quotes its label and block);
//   - any label is certain: the sender declared an ad;
//   - a discussion list (List-Post: personal mail to a family or club
//     list, even when it mentions a sale) is none;
//   - the commercial kinds are counted: ad phrases, discount, price,
//     launch, pre-order, shop link. A transactional shape (a
//     transactional Subject, a one-time code) or a public notice does
//     not count the price and needs two kinds (a promotional section);
//   - no commercial kind is none (a newsletter of news is not an ad: the
//     word is listed as evidence only);
//   - no bulk mark (header, opt-out block) and few recipients is personal
//     mail: personalKinds kinds make it likely, fewer none; more
//     recipients make it likely;
//   - bulk marks with a commercial kind are certain, likely when the
//     advertiser is a shared mailbox provider.
func (in *adInput) grade() (grade string, evidence, against []string) {
	evidence = in.signals()
	add := func(ok bool, name string) {
		if ok {
			evidence = append(evidence, name)
		}
	}
	add(in.discount, EvidenceDiscount)
	add(in.price, EvidencePrice)
	add(in.launch != "", EvidenceLaunch+in.launch)
	add(in.preorder != "", EvidencePreorder+in.preorder)
	add(in.shop != "", EvidenceShopLink+in.shop)
	add(in.newsletter != "", EvidenceNewsletter+in.newsletter)

	campaign := in.esp() || (len(in.bulk) > 0 && !in.discussion)
	shaped := in.transactional != "" || in.otp || in.notice != ""
	if in.reply && !campaign {
		against = append(against, AgainstReply)
	}
	if in.discussion {
		against = append(against, AgainstDiscussion)
	}
	if in.transactional != "" {
		against = append(against, AgainstTransactional+in.transactional)
	}
	if in.otp {
		against = append(against, AgainstOTP)
	}
	if in.notice != "" {
		against = append(against, AgainstNotice+in.notice)
	}
	kinds := in.kinds(shaped)
	switch {
	case in.reply && !campaign:
		return txn.GradeNone, evidence, against
	case in.label:
		return txn.GradeCertain, evidence, against
	case in.discussion && !in.esp(), shaped && kinds < 2, kinds == 0:
		return txn.GradeNone, evidence, against
	case !campaign && !in.optOut && in.rcpts <= personalRcpts:
		against = append(against, AgainstPersonal)
		if kinds < personalKinds {
			return txn.GradeNone, evidence, against
		}
		return txn.GradeLikely, evidence, against
	case !campaign && !in.optOut:
		return txn.GradeLikely, evidence, against
	case in.webmail:
		return txn.GradeLikely, evidence, append(against, AgainstWebmail)
	}
	return txn.GradeCertain, evidence, against
}

// kinds counts the commercial kinds of evidence; shaped (transactional
// or notice) leaves the price out: receipts and appeals quote amounts.
func (in *adInput) kinds(shaped bool) int {
	n := 0
	for _, ok := range []bool{len(in.phrases) > 0, in.discount, in.price && !shaped,
		in.launch != "", in.preorder != "", in.shop != ""} {
		if ok {
			n++
		}
	}
	return n
}

// esp reports a configured ESP campaign header among the bulk signals.
func (in *adInput) esp() bool {
	for _, s := range in.bulk {
		if strings.HasPrefix(s, SignalHeaderPrefix) {
			return true
		}
	}
	return false
}

// isDiscussionList reports a list members post to: a List-Post field
// (RFC 2369 §3.4) other than "NO" (an announcement list).
func isDiscussionList(v *mailmsg.View) bool {
	p, ok := v.First("List-Post")
	return ok && !strings.EqualFold(strings.TrimSpace(p), "NO")
}

// isMailboxProvider reports whether the advertiser id is a built-in
// shared mailbox provider (internal/freemail): its domain is the domain
// of its users, never an advertiser of its own. The configured ones are
// the stage's (decree91.shared_mailbox_domains).
func isMailboxProvider(id string) bool { return freemail.Set{}.Has(id) }
