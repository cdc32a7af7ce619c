// Package decree analyses one message for Vietnam's Decree 91/2020/ND-CP on
// advertising email: whether it is an advertising email (Art. 3.1), its
// Subject label (Art. 18), its opt-out block and refusal channels
// (Art. 20.1–20.2), the advertiser information before that block
// (Art. 19) and the advertiser id. It reads only the message: no registry,
// no network. docs/decree-analysis.md describes the detection rules.
package decree

import (
	"context"
	"io"
	"slices"
	"strings"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// Analyzer holds the compiled configuration; it is safe for concurrent use.
type Analyzer struct {
	cfg           Config
	labels        *labeler
	ads           *phraseSet
	transactional *phraseSet
	// body finds the refusal phrases (ids below nRefusal) and the ad
	// phrases (the others, in ads order) in one pass over the analysed
	// text.
	body     *matcher
	nRefusal int
	info     *infoFinder
}

// NewAnalyzer validates cfg and compiles its phrase lists once. It fails
// when no label or no refusal phrase is configured, when a label or a
// phrase is blank, when a legacy label is not a bracketed word, or when
// MaxTextBytes is negative.
func NewAnalyzer(cfg Config) (*Analyzer, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	labels, err := newLabeler(cfg.Labels, cfg.LegacyLabels)
	if err != nil {
		return nil, err
	}
	a := &Analyzer{
		cfg:           cfg,
		labels:        labels,
		ads:           newPhraseSet(cfg.AdPhrases),
		transactional: newPhraseSet(cfg.TransactionalPhrases),
		info:          newInfoFinder(),
	}
	refusal, _ := foldPhrases(cfg.RefusalPhrases)
	a.body, a.nRefusal = newMatcher(slices.Concat(refusal, a.ads.keys)), len(refusal)
	return a, nil
}

// Analyze returns the Decree 91/2020 analysis of one message. t.Headers are
// the raw fields; the body is read from t.Body (nil: no body). dkim are the
// DKIM results of the message, fromDomain its RFC 5322.From domain ("" when
// there is none or several). Analyze never fails: a malformed message
// yields what could be decoded, and a message without a decodable body is
// still labelled from its Subject. Only the last MaxTextBytes decoded bytes
// of each text part are scanned.
func (a *Analyzer) Analyze(t *txn.Transaction, dkim []txn.DKIM, fromDomain string) txn.DecreeAnalysis {
	if t == nil {
		t = &txn.Transaction{}
	}
	v := mailmsg.NewView(t.Headers)
	return a.analyze(v, t.Rcpts, a.ReadBody(context.Background(), v, t.BodyReader(), 0), dkim, fromDomain)
}

// ReadBody reads the text parts of the message with header v and body as
// the analysis needs them (the last MaxTextBytes of each), and the first
// headBytes of each for Links too, so that one decoding serves both (see
// the package ReadBody), until ctx ends.
func (a *Analyzer) ReadBody(ctx context.Context, v *mailmsg.View, body io.Reader, headBytes int) *Body {
	return ReadBody(ctx, v, body, a.cfg.MaxTextBytes, headBytes)
}

// AnalyzeBody is Analyze on a message already parsed: v is its header
// (the advertiser id comes from the domain of its single From mailbox),
// rcpts its envelope recipients, body its text read by a.ReadBody (so
// that the tails are MaxTextBytes long; nil: no body).
func (a *Analyzer) AnalyzeBody(v *mailmsg.View, rcpts []string, body *Body, dkim []txn.DKIM) txn.DecreeAnalysis {
	return a.analyze(v, rcpts, body, dkim, v.From.Domain())
}

// analyze is the analysis proper (see Analyze).
func (a *Analyzer) analyze(v *mailmsg.View, envRcpts []string, body *Body, dkim []txn.DKIM, fromDomain string) txn.DecreeAnalysis {
	if body == nil {
		body = &Body{}
	}
	res := txn.DecreeAnalysis{Advertiser: advertiserID(dkim, fromDomain)}
	subj := subject(v)
	res.Label, res.LabelText = a.labels.classify(subj)
	rcpts := lowerAll(envRcpts)

	text, scan := a.chooseText(body.last)
	blk := locateBlock(text, scan.refusals)
	res.OptOut = blk.found
	var found contacts
	if blk.found {
		found = findContacts(text.source(blk.channels.start, blk.channels.end), rcpts)
	}
	res.Channels, res.MissingChannels = channelLists(found)
	res.Info, res.MissingInfo = a.info.items(text, blk.info, rcpts)
	res.RefusalMailboxes = listUnsubscribeMailboxes(v)
	for _, addr := range found.email {
		res.RefusalMailboxes = appendUnique(res.RefusalMailboxes, addr)
	}
	res.Advertising, res.Signals = a.decide(v, subj, scan.ads, res.Label, res.OptOut)
	return res
}

// bodyScan is what the phrase pass over the analysed text found.
type bodyScan struct {
	refusals []span // refusal statements, in order
	ads      []bool // by ad phrase id
}

// scanBody runs the refusal and ad phrase matchers over folded text.
func (a *Analyzer) scanBody(text string) bodyScan {
	sc := bodyScan{ads: make([]bool, len(a.ads.keys))}
	a.body.scan(text, func(id, start, end int) {
		if id < a.nRefusal {
			sc.refusals = append(sc.refusals, span{start: start, end: end})
		} else {
			sc.ads[id-a.nRefusal] = true
		}
	})
	return sc
}

// chooseText picks the analysed text among the last-text-part candidates:
// the first one holding a refusal statement, else the first one. Every
// text is folded (which makes NFC moot: combining marks, as windows-1258
// writes tones, are dropped like precomposed ones).
func (a *Analyzer) chooseText(parts []textPart) (*folded, bodyScan) {
	var first *folded
	var firstScan bodyScan
	for i, p := range parts {
		f := foldText(p.text)
		sc := a.scanBody(f.text)
		if len(sc.refusals) > 0 {
			return f, sc
		}
		if i == 0 {
			first, firstScan = f, sc
		}
	}
	if first == nil {
		return foldText(""), a.scanBody("")
	}
	return first, firstScan
}

// decide decides Advertising (Art. 3.1) and lists the signals behind it,
// in the order label, header signals, optout-block, phrase:*. The rule:
//   - a label of any kind (ok, misplaced, legacy, nonstandard) makes an ad:
//     the sender declared it;
//   - otherwise an ad needs a marketing phrase (Subject or analysed text)
//     AND a bulk signal (List-Unsubscribe, List-Unsubscribe-Post, List-Id,
//     Precedence: bulk/list, a configured header, an opt-out block), AND,
//     when the Subject carries a transactional phrase (order, invoice,
//     password, …), a marketing phrase in the Subject itself;
//   - a reply or forward (isReply: Re:/Fwd:/Trả lời:/… Subject prefix or
//     In-Reply-To) is an ad only when one of the above holds AND it has a
//     header bulk signal (any but optout-block).
//
// So personal mail (no bulk signal), mailing-list discussion (bulk
// signals, no marketing phrase), transactional mail (order
// confirmations, password resets, even with List-Unsubscribe and a
// promotional footer) are not ads unless labelled, and a user's reply to
// or forward of an ad is not one unless sent with bulk headers.
func (a *Analyzer) decide(v *mailmsg.View, subj string, inText []bool, label string, optOut bool) (bool, []string) {
	var sigs []string
	if label != txn.LabelMissing {
		sigs = append(sigs, SignalLabel)
	}
	bulk := headerSignals(v, a.cfg.AdHeaders)
	nHeader := len(bulk)
	if optOut {
		bulk = append(bulk, SignalOptOutBlock)
	}
	sigs = append(sigs, bulk...)
	fsubj := foldString(subj)
	inSubject := a.ads.found(fsubj)
	phrases := 0
	for id, name := range a.ads.names {
		if inSubject[id] || inText[id] {
			sigs = append(sigs, SignalPhrasePrefix+name)
			phrases++
		}
	}
	transactional := slices.Contains(a.transactional.found(fsubj), true)
	ad := label != txn.LabelMissing ||
		(phrases > 0 && len(bulk) > 0 && (!transactional || slices.Contains(inSubject, true)))
	if ad && nHeader == 0 && isReply(v, subj) {
		// A personal reply or forward quotes the ad it answers (label,
		// phrases, opt-out block); without a header bulk signal it is not
		// one.
		ad = false
	}
	return ad, sigs
}

// lowerAll returns the envelope addresses lower-cased, without angle
// brackets.
func lowerAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(strings.Trim(s, "<> "))
	}
	return out
}
