package milter

import (
	"slices"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// delivery is the header block as the MTA edits it (see applyEdits). A
// nil *delivery keeps nothing.
type delivery struct {
	received []txn.Header
	index    mailmsg.Index // by name, built at the first delete or change
	// top holds the fields inserted above every received one, in order;
	// added those appended, while list is nil.
	top, added []txn.Header
	// list, once a received field is changed or a field inserted below
	// the top, holds the received fields, then the ones inserted below
	// the top and added, in order; pos is the list index of each
	// received field, nil while that is its own index.
	list []deliveredField
	pos  []int
}

type deliveredField struct {
	h       txn.Header
	deleted bool
}

func newDelivery(received []txn.Header) *delivery {
	return &delivery{received: received}
}

// edit makes list, the form that changes and inner inserts work on.
func (d *delivery) edit() {
	if d.list != nil {
		return
	}
	d.list = make([]deliveredField, len(d.received), len(d.received)+len(d.added)+2)
	for i, h := range d.received {
		d.list[i].h = h
	}
	for _, h := range d.added {
		d.list = append(d.list, deliveredField{h: h})
	}
	d.added = nil
}

// change sets the n-th received field called key (lower case) to value,
// or deletes it; nothing when there is no such field.
func (d *delivery) change(key string, n int, value string, del bool) {
	if d == nil {
		return
	}
	if d.index == nil {
		d.index = mailmsg.IndexFields(d.received)
	}
	i := d.index.Nth(key, n)
	if i < 0 {
		return
	}
	d.edit()
	if d.pos != nil {
		i = d.pos[i]
	}
	d.list[i].h.Value, d.list[i].deleted = value, del
}

// insert puts h before the i-th current field (i >= 1), at the end when
// there are fewer.
func (d *delivery) insert(i int, h txn.Header) {
	if d == nil {
		return
	}
	k := i - 1 // current fields above h
	if k <= len(d.top) {
		d.top = slices.Insert(d.top, k, h)
		return
	}
	k -= len(d.top)
	d.edit()
	at := len(d.list)
	for j, f := range d.list {
		if f.deleted {
			continue
		}
		if k == 0 {
			at = j
			break
		}
		k--
	}
	d.list = slices.Insert(d.list, at, deliveredField{h: h})
	if d.pos == nil {
		d.pos = make([]int, len(d.received))
		for r := range d.pos {
			d.pos[r] = r
		}
	}
	for r, p := range d.pos {
		if p >= at {
			d.pos[r] = p + 1
		}
	}
}

// add appends h after the last field.
func (d *delivery) add(h txn.Header) {
	switch {
	case d == nil:
	case d.list != nil:
		d.list = append(d.list, deliveredField{h: h})
	default:
		d.added = append(d.added, h)
	}
}

// headers returns the fields not deleted, in order.
func (d *delivery) headers() []txn.Header {
	if d.list == nil {
		return slices.Concat(d.top, d.received, d.added)
	}
	out := make([]txn.Header, 0, len(d.top)+len(d.list))
	out = append(out, d.top...)
	for _, f := range d.list {
		if !f.deleted {
			out = append(out, f.h)
		}
	}
	return out
}
