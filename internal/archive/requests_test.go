package archive

import (
	"context"
	"slices"
	"testing"
	"time"

	"milter91/internal/txn"
)

// A message that matched a block-list entry kept with the authority's
// request counts under that request (Decree 91/2020 Art. 6.3, 9.4).
func TestAuthorityRequestsCounted(t *testing.T) {
	out := &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionReject}, Facts: txn.Facts{Lists: []txn.ListHit{
		{List: "authority", Kind: "block", Entry: "192.0.2.0/24", Reference: "1234/QD-BTTTT", Requested: "2026-11-02"},
		{List: "own", Kind: "block", Entry: "example.org"},
		{List: "authority", Kind: "block", Entry: "192.0.2.0/24", Reference: "1234/QD-BTTTT", Requested: "2026-11-02"},
	}}}
	r := NewRecord(txn.Answer{Time: t0, Action: txn.ActionReject, Outcome: out})
	want := []string{"authority: 1234/QD-BTTTT of 2026-11-02", "authority: 1234/QD-BTTTT of 2026-11-02"}
	if !slices.Equal(r.Requests, want) {
		t.Fatalf("requests %q, want %q", r.Requests, want)
	}
	eachStore(t, func(t *testing.T, s *Store) {
		mustInsert(t, s, r, Record{Time: t0, Action: "accept"})
		day := t0.Truncate(24 * time.Hour)
		got, err := s.Counts(context.Background(), day, day.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var req []Count
		for _, c := range got {
			if c.Dimension == DimRequest {
				req = append(req, c)
			}
		}
		if len(req) != 1 || req[0].Key != "authority: 1234/QD-BTTTT of 2026-11-02" || req[0].N != 1 {
			t.Errorf("request counts %+v, want one message", req)
		}
	})
}
