package decree

import (
	"strings"

	"milter91/internal/txn"
)

// Geometry of the opt-out block (Decree 91/2020 Art. 20.1) and of the
// advertiser information before it (Art. 19.2), in lines of the analysed
// text and in folded bytes (one per letter, Vietnamese letters included).
const (
	// chainLines: refusal statements at most this many lines apart form
	// one block ("Bạn có quyền từ chối nhận…" then "Hủy đăng ký: …").
	chainLines = 3
	// leadBytes: the channel window starts at most this far before the
	// block's first statement, within its line ("Gọi 1900 1234 để hủy
	// đăng ký").
	leadBytes = 160
	// tailLines, tailBytes: the channel window ends at most tailLines
	// lines after the line of the block's last statement and at most
	// tailBytes after it.
	tailLines = 6
	tailBytes = 1500
	// infoLines, infoBytes: "immediately before" (đặt liền trước) is the
	// text between the channel window's start and at most infoLines lines
	// and infoBytes bytes before it.
	infoLines = 10
	infoBytes = 1000
	// snapBytes: how far a window edge moves to avoid cutting a word.
	snapBytes = 200
)

// optBlock is where the opt-out block and the advertiser information were
// found, as folded offsets.
type optBlock struct {
	found    bool
	channels span // the channel window
	info     span // the advertiser-information window
	// statement: the block states the right to refuse all of the
	// advertiser's advertising (Art. 20.1.b).
	statement bool
}

// locateBlock finds the opt-out block from the refusal statements of the
// analysed text (sc.refusals, in order): the block is anchored on the last
// statement, since Art. 20.1.a puts it at the end of the email, and
// extended back over statements chained at most chainLines apart. The
// channel window ends early at what is not offered for refusal (cutAt: a
// "follow us" line, a closing formula or a signature). Without a refusal
// statement there is no block, and the advertiser information (Art. 19,
// required on its own) is looked for at the end of the text. The
// statements of the right to refuse and the cut phrases are looked for in
// the window only (a.block).
func (a *Analyzer) locateBlock(f *folded, sc *phraseScan) optBlock {
	refusals := sc.refusals
	if len(refusals) == 0 {
		end := len(f.text)
		start := max(f.lineStart(f.lineOf(end)-infoLines), end-infoBytes)
		return optBlock{info: span{start: snapForward(f.text, start, end), end: end}}
	}
	last := refusals[len(refusals)-1]
	first := last
	for i := len(refusals) - 2; i >= 0; i-- {
		if f.lineOf(first.start)-f.lineOf(refusals[i].start) > chainLines {
			break
		}
		first = refusals[i]
	}
	lastLine := f.lineOf(last.start)
	chStart := max(f.lineStart(f.lineOf(first.start)), first.start-leadBytes)
	chStart = snapForward(f.text, chStart, first.start)
	chEnd := min(f.lineStart(lastLine+tailLines+1), last.end+tailBytes)
	chEnd = snapForward(f.text, chEnd, min(len(f.text), chEnd+snapBytes))
	lo := max(0, chStart-leadBytes)
	bs := a.block.scan(nil, f.text[lo:chEnd], lo)
	if anyIn(bs.cuts, chStart, first.start) {
		chStart = first.start // "Follow us: <link>. Hủy đăng ký …": the link is not a channel
	}
	chEnd = cutAt(f, bs.cuts, last.end, chEnd)
	infoStart := max(f.lineStart(f.lineOf(chStart)-infoLines), chStart-infoBytes)
	infoStart = snapForward(f.text, infoStart, chStart)
	return optBlock{
		found:     true,
		channels:  span{start: chStart, end: chEnd},
		info:      span{start: infoStart, end: chStart},
		statement: anyIn(bs.statements, lo, chEnd),
	}
}

// cutAt returns where the channel window [from, end) stops: at the first
// cut phrase after the last refusal statement ("Follow us", "Theo dõi
// chúng tôi", "Trân trọng", "Best regards": a social link or a
// signature's contact phone after it is not offered for refusal) or at a
// signature delimiter line "--" (RFC 3676 §4.3), else at end.
func cutAt(f *folded, cuts []span, from, end int) int {
	for _, c := range cuts {
		if c.start >= from && c.start < end {
			end = c.start
			break
		}
	}
	for n := f.lineOf(from) + 1; n < len(f.lines) && f.lineStart(n) < end; n++ {
		line := f.text[f.lineStart(n):min(f.lineStart(n+1), len(f.text))]
		if strings.TrimRight(line, " ") == "--" {
			return f.lineStart(n)
		}
	}
	return end
}

// snapForward moves pos forward to the next word start, not past limit,
// unless pos already starts a word.
func snapForward(text string, pos, limit int) int {
	if pos <= 0 || pos >= len(text) || text[pos-1] == ' ' {
		return pos
	}
	if i := strings.IndexByte(text[pos:limit], ' '); i >= 0 {
		return pos + i + 1
	}
	return limit
}

// channelLists splits the channels found into present and missing lists,
// each in the order web, email, phone (Art. 20.2.a–c).
func channelLists(c contacts) (present, missing []string) {
	for _, ch := range []struct {
		name string
		ok   bool
	}{
		{name: txn.ChannelWeb, ok: c.web},
		{name: txn.ChannelEmail, ok: len(c.email) > 0},
		{name: txn.ChannelPhone, ok: c.phone},
	} {
		if ch.ok {
			present = append(present, ch.name)
		} else {
			missing = append(missing, ch.name)
		}
	}
	return present, missing
}
