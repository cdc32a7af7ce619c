package rules

import (
	"strconv"
	"strings"

	"milter91/internal/txn"
)

// compileUserBlocked is the user_blocked fact (Decree 91/2020 Art. 10.2):
// true when the recipient's own block list has an entry for the sender's
// address, domain or advertiser (Facts.UserBlocks). The engine evaluates
// per recipient when some list matched; judged for the whole message it
// is true only when every recipient's list matched. Detail:
// "user_blocked=true rcpt=u@example.net domain example.com".
func compileUserBlocked(v Value) (Matcher, error) {
	want, err := v.Bool()
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		if in.Recipient != nil {
			b, ok := userBlock(in.Facts, in.Recipient.Rcpt)
			if ok != want {
				return Hit{}, false
			}
			detail := "user_blocked=" + strconv.FormatBool(want) + " rcpt=" + in.Recipient.Rcpt
			if ok {
				detail += " " + b.Kind + " " + b.Entry
			}
			return Hit{Detail: detail}, true
		}
		all := len(in.Txn.Rcpts) > 0
		for _, r := range in.Txn.Rcpts {
			if _, ok := userBlock(in.Facts, r); !ok {
				all = false
				break
			}
		}
		if all != want {
			return Hit{}, false
		}
		return Hit{Detail: "user_blocked=" + strconv.FormatBool(want)}, true
	}, nil
}

// userBlock returns the first entry of rcpt's block list that matched.
func userBlock(f *txn.Facts, rcpt string) (txn.UserBlock, bool) {
	key := strings.ToLower(strings.Trim(rcpt, "<> "))
	for _, b := range f.UserBlocks {
		if b.Rcpt == key {
			return b, true
		}
	}
	return txn.UserBlock{}, false
}
