package decree

import "milter91/internal/txn"

// Markers of the advertiser information (Decree 91/2020 Art. 19.1),
// matched like phrases: folded, on word boundaries.
var (
	// nameMarkers: a company form or an explicit "advertiser" caption.
	nameMarkers = []string{
		"công ty", "cty", "tnhh", "cổ phần", "tập đoàn", "doanh nghiệp",
		"hộ kinh doanh", "đơn vị quảng cáo", "nhà quảng cáo", "advertiser",
		"ltd", "jsc", "inc", "corporation",
		"corp", "company", "llc", "plc", "gmbh",
	}
	// addressCaptions name an address outright.
	addressCaptions = []string{"địa chỉ", "address", "trụ sở", "văn phòng"}
	// notAddress are captions of other addresses: a caption inside one
	// ("Địa chỉ email: …", "Email address: …") names no postal address.
	notAddress = []string{
		"địa chỉ email", "địa chỉ e-mail", "địa chỉ thư", "địa chỉ thư điện tử", "địa chỉ website",
		"địa chỉ web", "địa chỉ trang web", "địa chỉ ip", "email address", "e-mail address",
		"web address", "website address", "ip address", "mail address",
	}
	// addressParts are pieces of a street address; two different ones
	// are needed, since each alone is a common word ("quận", "city").
	addressParts = []string{
		"số nhà", "đường", "phường", "quận", "huyện", "thị xã", "thị trấn",
		"tỉnh", "thành phố", "tp", "hà nội", "hồ chí minh", "hcm",
		"đà nẵng", "hải phòng", "cần thơ", "việt nam", "vietnam", "tòa nhà",
		"building", "street", "road", "ward", "district", "province", "city",
		"floor",
	}
)

// Kinds of info markers.
const (
	markName = iota
	markCaption
	markPart
	markNotAddress
)

// infoFinder recognises the advertiser-information items.
type infoFinder struct {
	m     *matcher
	kinds []int // by phrase id
}

func newInfoFinder() *infoFinder {
	fi := &infoFinder{}
	var keys []string
	for kind, list := range [][]string{nameMarkers, addressCaptions, addressParts, notAddress} {
		for _, p := range list {
			keys = append(keys, foldString(p))
			fi.kinds = append(fi.kinds, kind)
		}
	}
	fi.m = newMatcher(keys)
	return fi
}

// items returns the advertiser-information items found in window w of f,
// and the missing ones, each in the order name, phone, email, address:
//   - name: a company marker (Công ty, Cty, TNHH, Co., Ltd, JSC, Inc, …) or
//     an "Advertiser:"/"Đơn vị quảng cáo:" caption;
//   - phone: a Vietnamese telephone number or tel: link (see scanPhones);
//   - email: an address other than the recipients' (exclude);
//   - address: an address caption (Địa chỉ, Address, Trụ sở) that is not
//     part of another address's caption ("Địa chỉ email", "Email
//     address"), or two different street-address parts (đường + quận,
//     District + City, …).
func (fi *infoFinder) items(f *folded, w span, exclude []string) (present, missing []string) {
	var name bool
	var captions, others []span
	parts := map[int]bool{}
	fi.m.scan(f.text[w.start:w.end], func(id, start, end int) {
		switch fi.kinds[id] {
		case markName:
			name = true
		case markCaption:
			captions = append(captions, span{start: start, end: end})
		case markNotAddress:
			others = append(others, span{start: start, end: end})
		default:
			parts[id] = true
		}
	})
	caption := false
	for _, c := range captions {
		// "địa chỉ email" starts with the caption, "email address" ends with it.
		caption = caption || !coveredBy(c, others)
	}
	c := findContacts(f.source(w.start, w.end), exclude)
	for _, it := range []struct {
		name string
		ok   bool
	}{
		{name: txn.InfoName, ok: name},
		{name: txn.InfoPhone, ok: c.phone},
		{name: txn.InfoEmail, ok: len(c.email) > 0},
		{name: txn.InfoAddress, ok: caption || len(parts) >= 2},
	} {
		if it.ok {
			present = append(present, it.name)
		} else {
			missing = append(missing, it.name)
		}
	}
	return present, missing
}

// coveredBy reports whether sp lies within one of spans.
func coveredBy(sp span, spans []span) bool {
	for _, o := range spans {
		if o.start <= sp.start && sp.end <= o.end {
			return true
		}
	}
	return false
}
