package decree

import (
	"slices"
	"testing"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

func TestHeaderSignals(t *testing.T) {
	cases := []struct {
		name    string
		headers []txn.Header
		want    []string
	}{
		{name: "none", want: nil},
		{name: "list headers", headers: []txn.Header{
			{Name: "List-ID", Value: " <a.example.com>"},
			{Name: "list-unsubscribe-post", Value: " List-Unsubscribe=One-Click"},
			{Name: "List-Unsubscribe", Value: " <https://example.com/u>"},
		}, want: []string{SignalListUnsubscribe, SignalListUnsubscribePost, SignalListID}},
		{name: "blank value", headers: []txn.Header{{Name: "List-Unsubscribe", Value: " \r\n "}}, want: nil},
		{name: "precedence bulk", headers: []txn.Header{{Name: "Precedence", Value: " Bulk"}}, want: []string{SignalPrecedenceBulk}},
		{name: "precedence list", headers: []txn.Header{{Name: "Precedence", Value: " list "}}, want: []string{SignalPrecedenceList}},
		{name: "precedence junk", headers: []txn.Header{{Name: "Precedence", Value: " junk"}}, want: nil},
		{name: "campaign headers", headers: []txn.Header{
			{Name: "x-campaign-id", Value: " 42"},
			{Name: "Feedback-ID", Value: " 1:2:3:esp"},
		}, want: []string{"header:x-campaign-id", "header:feedback-id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := headerSignals(mailmsg.NewView(tc.headers), DefaultConfig().AdHeaders)
			if !slices.Equal(got, tc.want) {
				t.Errorf("signals %q, want %q", got, tc.want)
			}
		})
	}
}

func TestListUnsubscribeMailboxes(t *testing.T) {
	cases := []struct {
		name   string
		values []string
		want   []string
	}{
		{name: "mailto with subject", values: []string{" <mailto:Unsub@Example.COM?subject=unsubscribe>"},
			want: []string{"unsub@example.com"}},
		{name: "https and mailto, folded", values: []string{" <https://example.com/u>,\r\n <MAILTO:list-leave@example.org>"},
			want: []string{"list-leave@example.org"}},
		{name: "escaped", values: []string{" <mailto:unsub%2Bid42@example.com>"}, want: []string{"unsub+id42@example.com"}},
		{name: "several fields, duplicates", values: []string{" <mailto:a@example.com>", " <mailto:A@example.com>, <mailto:b@example.com>"},
			want: []string{"a@example.com", "b@example.com"}},
		{name: "no address", values: []string{" <mailto:?subject=x>", " <mailto:nobody>"}, want: nil},
		{name: "unclosed bracket", values: []string{" <mailto:a@example.com"}, want: nil},
		{name: "comment outside brackets", values: []string{" (leave) <mailto:a@example.com> (thanks)"}, want: []string{"a@example.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var tr txn.Transaction
			for _, v := range tc.values {
				tr.Headers = append(tr.Headers, txn.Header{Name: "List-Unsubscribe", Value: v})
			}
			if got := listUnsubscribeMailboxes(mailmsg.NewView(tr.Headers)); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
