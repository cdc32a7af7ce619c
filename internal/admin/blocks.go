package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"milter91/internal/userblock"
)

// BlockLists is the part of *userblock.Store the API uses: the users'
// own block lists (Decree 91/2020 Art. 10.2). Input the store refuses
// matches userblock.ErrInvalid (answered 400); any other error is a store
// failure (500).
type BlockLists interface {
	Add(ctx context.Context, b userblock.Block, now time.Time) (userblock.Block, error)
	Remove(ctx context.Context, k userblock.Key) (bool, error)
	List(ctx context.Context, f userblock.Filter) ([]userblock.Block, error)
}

var _ BlockLists = (*userblock.Store)(nil)

// cursorBlocks is the cursor kind of the block listing.
const cursorBlocks = "b"

// blockIn is the body of POST /v1/blocks.
type blockIn struct {
	Recipient string `json:"recipient"`
	Kind      string `json:"kind"`
	Value     string `json:"value"`
	Note      string `json:"note"`
}

// listBlocks answers GET /v1/blocks?recipient=&kind=&limit=&cursor= with
// one page, ordered by recipient, kind, value.
func (a *api) listBlocks(w http.ResponseWriter, r *http.Request) {
	args, err := queryArgs(r, "recipient", "kind", "limit", "cursor")
	f := userblock.Filter{Recipient: args["recipient"], Kind: args["kind"]}
	var limit int
	if err == nil {
		limit, err = parseLimit(args, DefaultListLimit, MaxListLimit)
	}
	if err == nil && args["cursor"] != "" {
		var k []string
		if k, err = decodeFields(cursorBlocks, args["cursor"], 3); err == nil {
			f.After = userblock.Key{Recipient: k[0], Kind: k[1], Value: k[2]}
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f.Limit = limit + 1
	bs, err := a.blocks.List(r.Context(), f)
	if a.blockFailed(w, r, "list blocks", err) {
		return
	}
	p := page[userblock.Block]{Items: bs[:min(len(bs), limit)]}
	if len(bs) > limit {
		k := bs[limit-1].Key()
		next := encodeFields(cursorBlocks, k.Recipient, k.Kind, k.Value)
		p.Next = &next
	}
	if p.Items == nil {
		p.Items = []userblock.Block{}
	}
	writeJSON(w, http.StatusOK, p)
}

// addBlock answers POST /v1/blocks: 201 with the stored entry.
func (a *api) addBlock(w http.ResponseWriter, r *http.Request) {
	var in blockIn
	if !decodeJSON(w, r, &in) {
		return
	}
	b, err := a.blocks.Add(r.Context(), userblock.Block{Recipient: in.Recipient, Kind: in.Kind, Value: in.Value,
		Note: in.Note, Source: userblock.SourceAPI}, a.now())
	if a.blockFailed(w, r, "add block", err) {
		return
	}
	writeJSON(w, http.StatusCreated, b)
}

// removeBlock answers DELETE /v1/blocks?recipient=&kind=&value=.
func (a *api) removeBlock(w http.ResponseWriter, r *http.Request) {
	args, err := queryArgs(r, "recipient", "kind", "value")
	if err == nil && (args["recipient"] == "" || args["kind"] == "" || args["value"] == "") {
		err = errors.New("parameters recipient, kind and value are required")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	k := userblock.Key{Recipient: args["recipient"], Kind: args["kind"], Value: args["value"]}
	removed, err := a.blocks.Remove(r.Context(), k)
	if a.blockFailed(w, r, "remove block", err) {
		return
	}
	if !removed {
		writeJSON(w, http.StatusNotFound, struct {
			Removed bool   `json:"removed"`
			Error   string `json:"error"`
		}{Error: fmt.Sprintf("no %s entry %s in the block list of %s", k.Kind, k.Value, k.Recipient)})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Removed bool `json:"removed"`
	}{Removed: true})
}

// blockFailed answers a failed block-list call: 400 for bad input, 500
// for the store; false when err is nil.
func (a *api) blockFailed(w http.ResponseWriter, r *http.Request, op string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, userblock.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		a.storeError(w, r, op, err)
	}
	return true
}
