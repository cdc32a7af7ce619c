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
	transactional *phraseSet
	// body, head and block are the phrase matchers (phrases.go): the
	// refusal statements and ad phrases of the whole text, the built-in
	// groups of its start, those of the opt-out block's window.
	body, head, block *phraseGroups
	info              *infoFinder
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
	lists := builtinPhrases
	lists[groupRefusal], lists[groupAd] = cfg.RefusalPhrases, cfg.AdPhrases
	return &Analyzer{
		cfg:           cfg,
		labels:        labels,
		transactional: newPhraseSet(cfg.TransactionalPhrases),
		body:          newPhraseGroups(lists, bodyGroups),
		head:          newPhraseGroups(lists, headGroups),
		block:         newPhraseGroups(lists, blockGroups),
		info:          newInfoFinder(),
	}, nil
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
	bulk := headerSignals(v, a.cfg.AdHeaders)
	res.Label, res.LabelText = a.labels.classify(subj, len(bulk) > 0 && !v.Present("In-Reply-To"))
	rcpts := lowerAll(envRcpts)

	cands := a.candidates(body.last)
	best := a.chooseBlock(cands, rcpts)
	res.OptOut, res.OptOutStatement = best.blk.found, best.blk.statement
	res.Channels, res.MissingChannels = channelLists(best.found)
	res.Info, res.MissingInfo = a.info.items(best.text, best.blk.info, rcpts)
	res.RefusalMailboxes = listUnsubscribeMailboxes(v)
	for _, addr := range best.found.email {
		res.RefusalMailboxes = appendUnique(res.RefusalMailboxes, addr)
	}
	fsubj := foldString(subj)
	subjScan := a.head.scan(a.body.scan(nil, fsubj, 0), fsubj, 0)
	res.Vietnamese = isVietnamese(subj)
	scans := []*phraseScan{subjScan}
	for _, c := range cands {
		scans = append(scans, c.scan)
		res.Vietnamese = res.Vietnamese || isVietnamese(c.text.src[:min(len(c.text.src), headScanBytes)])
	}
	in := adInput{
		label: res.Label != txn.LabelMissing, reply: isReply(v, subj), bulk: bulk,
		discussion: isDiscussionList(v), optOut: res.OptOut, rcpts: len(envRcpts),
		webmail: isMailboxProvider(res.Advertiser),
	}
	if tr := a.transactional.found(fsubj); slices.Contains(tr, true) {
		in.transactional = a.transactional.names[slices.Index(tr, true)]
	}
	a.offerEvidence(&in, fsubj, cands, scans)
	res.Signals = in.signals()
	res.Grade, res.Evidence, res.Against = in.grade()
	res.Advertising = res.Grade != txn.GradeNone
	return res
}

// candidate is one last-text-part candidate, folded and scanned.
type candidate struct {
	text *folded
	scan *phraseScan
}

// candidates folds and scans every last-text-part candidate: what the
// reader sees may be either alternative (HTML-only text counts), so the
// classification reads them all and the opt-out block is taken from the
// best (chooseBlock). Every text is folded (which makes NFC moot:
// combining marks, as windows-1258 writes tones, are dropped like
// precomposed ones).
func (a *Analyzer) candidates(parts []textPart) []candidate {
	out := make([]candidate, 0, len(parts))
	for _, p := range parts {
		f := foldText(p.text)
		sc := a.body.scan(nil, f.text, 0)
		out = append(out, candidate{text: f, scan: a.head.scan(sc, f.text[:min(len(f.text), headScanBytes)], 0)})
	}
	return out
}

// blockChoice is the analysed text and its opt-out block.
type blockChoice struct {
	text  *folded
	blk   optBlock
	found contacts
}

// chooseBlock picks the analysed text among the candidates: of those
// holding a refusal statement, the one whose block offers the most
// refusal channels and states the right to refuse (the first on a tie:
// the text/plain alternative); without any, the first candidate, whose
// end is then where the advertiser information is looked for.
func (a *Analyzer) chooseBlock(cands []candidate, rcpts []string) blockChoice {
	if len(cands) == 0 {
		f := foldText("")
		return blockChoice{text: f, blk: a.locateBlock(f, &phraseScan{})}
	}
	var best blockChoice
	bestScore := -1
	for _, c := range cands {
		if len(c.scan.refusals) == 0 {
			continue
		}
		ch := blockChoice{text: c.text, blk: a.locateBlock(c.text, c.scan)}
		ch.found = findContacts(c.text.source(ch.blk.channels.start, ch.blk.channels.end), rcpts)
		score := len(ch.found.email[:min(1, len(ch.found.email))])
		for _, ok := range []bool{ch.found.web, ch.found.phone, ch.blk.statement} {
			if ok {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = ch, score
		}
	}
	if bestScore < 0 {
		return blockChoice{text: cands[0].text, blk: a.locateBlock(cands[0].text, cands[0].scan)}
	}
	return best
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
