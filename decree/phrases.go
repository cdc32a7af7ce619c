package decree

// Phrase groups. The refusal statements and the ad phrases come from the
// Config and are looked for in the whole analysed text (bodyGroups); the
// others are built in, like the advertiser-information markers: what an
// announcement is about in the Subject and the first headScanBytes of
// each text (headGroups), what ends the opt-out block in its window
// (blockGroups). Three small automata keep each one's transition table
// in the processor's first-level cache: one automaton of every phrase
// made the 50 KiB ad's analysis 14 % slower.
const (
	groupRefusal    = iota // Config.RefusalPhrases: the opt-out block (Art. 20.1)
	groupAd                // Config.AdPhrases: a commercial offer
	groupLaunch            // a product launch (Art. 3.1: introduces goods)
	groupPreorder          // a pre-order
	groupShop              // a shop link: product, cart or checkout pages
	groupNewsletter        // a newsletter
	groupNotice            // a public or social-policy notice (excluded by Art. 3.1)
	groupOTP               // a one-time code: transactional shape
	groupStatement         // the right to refuse all advertising (Art. 20.1.b)
	groupCut               // ends the channels: "follow us", a closing formula
	nGroups
)

// The groups each matcher holds.
var (
	bodyGroups  = []int{groupRefusal, groupAd}
	headGroups  = []int{groupLaunch, groupPreorder, groupShop, groupNewsletter, groupNotice, groupOTP}
	blockGroups = []int{groupStatement, groupCut}
)

// headScanBytes is how much of the start of each text the head groups,
// the price pattern and the Vietnamese letters are looked for in (bytes):
// what an announcement is about is said at its start. The head
// automaton's table does not fit the first-level cache; 2 KiB keeps its
// cost to a few microseconds.
const headScanBytes = 2 << 10

// builtinPhrases are the phrases of the built-in groups, matched folded
// and on word boundaries like the configured ones.
var builtinPhrases = [nGroups][]string{
	groupLaunch: {
		"ra mắt", "sản phẩm mới", "bộ sưu tập mới", "mở bán", "giới thiệu sản phẩm",
		"introducing", "new arrival", "new arrivals", "new collection", "just launched",
		"now available", "launch", "launching", "meet the new",
	},
	groupPreorder: {
		"pre-order", "preorder", "pre order", "đặt trước", "đặt hàng trước", "đặt mua trước",
	},
	groupShop: {
		"/products/", "/product/", "/san-pham/", "/shop/", "/collections/", "/cart",
		"/checkout", "/store/", "/pre-order", "/preorder", "shopee.vn/", "lazada.vn/",
		"tiki.vn/", "add to cart", "thêm vào giỏ",
	},
	groupNewsletter: {"bản tin", "newsletter"},
	groupNotice: {
		"cứu trợ", "quyên góp", "ủng hộ đồng bào", "từ thiện", "quỹ cứu trợ", "đồng bào bị ảnh hưởng",
		"lũ lụt", "thiên tai", "ủy ban nhân dân", "ubnd", "nhà trường", "phụ huynh",
		"lịch cắt điện", "tạm ngừng cung cấp điện", "thông báo khẩn",
		"relief fund", "disaster relief", "donation", "donate", "fundraising", "charity",
		"public notice", "school notice",
	},
	groupOTP: {
		"otp", "mã xác thực", "mã xác nhận", "mã giao dịch", "verification code",
		"one-time password", "one-time code", "security code",
	},
	groupStatement: {
		"có quyền từ chối", "quyền từ chối nhận", "quyền từ chối", "từ chối nhận toàn bộ",
		"từ chối nhận tất cả", "từ chối toàn bộ", "từ chối mọi", "right to refuse",
		"right to opt out", "right to unsubscribe", "refuse all", "unsubscribe from all",
		"opt out of all",
	},
	groupCut: {
		"follow us", "theo dõi chúng tôi", "kết nối với chúng tôi", "connect with us",
		"find us on", "like us on", "trân trọng", "best regards", "kind regards",
		"regards", "sincerely", "thân ái", "thân mến",
	},
}

// phraseGroups is one compiled matcher: the folded phrases of its groups
// in one automaton, and for each phrase id its group and its index within
// the group.
type phraseGroups struct {
	m     *matcher
	group []int // by phrase id
	index []int // by phrase id
	names [nGroups][]string
}

// newPhraseGroups compiles the groups of lists named by groups.
func newPhraseGroups(lists [nGroups][]string, groups []int) *phraseGroups {
	pg := &phraseGroups{}
	var keys []string
	for _, g := range groups {
		k, names := foldPhrases(lists[g])
		pg.names[g] = names
		for i, key := range k {
			keys = append(keys, key)
			pg.group = append(pg.group, g)
			pg.index = append(pg.index, i)
		}
	}
	pg.m = newMatcher(keys)
	return pg
}

// phraseScan is what the matchers found in one text.
type phraseScan struct {
	// found[g][i]: phrase i of group g occurs (nil: g not looked for).
	found [nGroups][]bool
	// refusals, statements and cuts are the occurrences of those groups,
	// in order of their ends.
	refusals, statements, cuts []span
}

// scan runs the matcher over folded text into sc (a new one when nil);
// off is added to the offsets recorded.
func (pg *phraseGroups) scan(sc *phraseScan, text string, off int) *phraseScan {
	if sc == nil {
		sc = &phraseScan{}
	}
	for g, names := range pg.names {
		if names != nil && sc.found[g] == nil {
			sc.found[g] = make([]bool, len(names))
		}
	}
	pg.m.scan(text, func(id, start, end int) {
		g := pg.group[id]
		sc.found[g][pg.index[id]] = true
		start, end = start+off, end+off
		switch g {
		case groupRefusal:
			sc.refusals = append(sc.refusals, span{start: start, end: end})
		case groupStatement:
			sc.statements = append(sc.statements, span{start: start, end: end})
		case groupCut:
			sc.cuts = append(sc.cuts, span{start: start, end: end})
		}
	})
	return sc
}

// first returns the first phrase of group g found in sc or in more (as
// configured or built in), "" when none is.
func (pg *phraseGroups) first(g int, scans ...*phraseScan) string {
	for i, name := range pg.names[g] {
		for _, sc := range scans {
			if sc != nil && sc.found[g] != nil && sc.found[g][i] {
				return name
			}
		}
	}
	return ""
}

// anyIn reports whether one of spans starts within [start, end).
func anyIn(spans []span, start, end int) bool {
	for _, sp := range spans {
		if sp.start >= start && sp.start < end {
			return true
		}
	}
	return false
}
