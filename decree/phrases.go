package decree

// Phrase groups of the body matcher (one pass over the analysed text).
// The refusal statements and the ad phrases come from the Config; the
// others are built in, like the advertiser-information markers.
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

// phraseGroups is the compiled body matcher: every group's folded
// phrases in one automaton, and for each phrase id its group and its
// index within the group.
type phraseGroups struct {
	m     *matcher
	group []int // by phrase id
	index []int // by phrase id
	names [nGroups][]string
}

// newPhraseGroups compiles the configured refusal and ad phrases with
// the built-in groups.
func newPhraseGroups(refusal, ads []string) *phraseGroups {
	pg := &phraseGroups{}
	lists := builtinPhrases
	lists[groupRefusal], lists[groupAd] = refusal, ads
	var keys []string
	for g, list := range lists {
		k, names := foldPhrases(list)
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

// phraseScan is what one pass of the body matcher found.
type phraseScan struct {
	// found[g][i]: phrase i of group g occurs.
	found [nGroups][]bool
	// refusals, statements and cuts are the occurrences of those groups,
	// in order of their ends.
	refusals, statements, cuts []span
}

// scan runs the matcher over folded text.
func (pg *phraseGroups) scan(text string) *phraseScan {
	sc := &phraseScan{}
	for g := range sc.found {
		sc.found[g] = make([]bool, len(pg.names[g]))
	}
	pg.m.scan(text, func(id, start, end int) {
		g := pg.group[id]
		sc.found[g][pg.index[id]] = true
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
			if sc != nil && sc.found[g][i] {
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
