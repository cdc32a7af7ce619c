package stage

import (
	"context"
	"slices"
	"testing"

	"milter91/internal/freemail"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// Only what the advertiser published for refusal becomes a refusal
// mailbox (Art. 20.2, 20.3): its List-Unsubscribe mailto (an ESP's too)
// and the opt-out block's addresses in its own domain; a third party's
// address near the block does not, so that writing to it refuses nobody.
func TestCaptureOnlyPublishedMailboxes(t *testing.T) {
	reg := &registry{}
	an := txn.DecreeAnalysis{Advertising: true, Grade: txn.GradeCertain, Advertiser: "example.com",
		RefusalMailboxes: []string{"unsub@esp.example", "huy@shop.example.com", "partner@agency.example", "friend@gmail.com"}}
	s := New(Options{Analyzer: analyzer{a: an}, Registry: reg, Directions: Directions{Default: txn.DirectionInbound}})
	in := input("reader@example.net")
	in.Msg = mailmsg.NewView([]txn.Header{{Name: "List-Unsubscribe", Value: " <mailto:unsub@esp.example?subject=x>, <https://esp.example/u>"}})
	d, sends, err := s.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	s.Finish("Q1", in.Txn.Rcpts, &d, sends, true, nil)
	want := []string{"unsub@esp.example", "huy@shop.example.com"}
	if len(reg.boxes) != 1 || !slices.Equal(reg.boxes[0], want) || !slices.Equal(d.RefusalMailboxes, want) {
		t.Errorf("recorded %v (facts %v), want %v", reg.boxes, d.RefusalMailboxes, want)
	}
}

// A shared mailbox provider is never an advertiser: an ad from one gmail.com
// user has no advertiser id, so no registry lookup, count or refusal
// mailbox is kept under gmail.com (which would let that user's refusal
// stop every gmail.com sender, 550 Art. 13.4). Configured domains (the
// ISP's own user domain) are providers too.
func TestSharedProviderIsNoAdvertiser(t *testing.T) {
	for _, advertiser := range []string{"gmail.com", "isp.example"} {
		reg := &registry{}
		an := txn.DecreeAnalysis{Advertising: true, Grade: txn.GradeCertain, Advertiser: advertiser, RefusalMailboxes: []string{"huy@" + advertiser}}
		s := New(Options{Analyzer: analyzer{a: an}, Registry: reg, Shared: freemail.New([]string{"isp.example"}),
			Directions: Directions{Default: txn.DirectionInbound}})
		in := input("reader@example.net")
		d, sends, err := s.Run(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		s.Finish("Q1", in.Txn.Rcpts, &d, sends, true, nil)
		if d.Advertiser != "" || reg.calls != 0 || len(reg.recorded) != 0 || d.Recipients != nil {
			t.Errorf("%s: advertiser %q, %d lookups, recorded %v: want no advertiser and no registry use",
				advertiser, d.Advertiser, reg.calls, reg.recorded)
		}
	}
}
