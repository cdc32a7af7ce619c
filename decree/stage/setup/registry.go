package setup

import (
	"context"
	"time"

	"milter91/internal/registry"
	"milter91/internal/txn"
)

// Health follows the registry store's outcomes (the daemon's store state:
// /v1/health, milter91_store_up, the store error counter).
type Health interface {
	// Read records a lookup's outcome: a failure marks the store failing.
	Read(err error)
	// Wrote records a write's outcome.
	Wrote(err error)
	// Lost counts a failed write that no message fact shows (a release,
	// a record, a capture).
	Lost(err error)
}

// Registry is a *registry.Store as a stage.Registry.
type Registry struct {
	s *registry.Store
	h Health
}

// NewRegistry adapts s; h may be nil (milter91 check).
func NewRegistry(s *registry.Store, h Health) Registry { return Registry{s: s, h: h} }

func (a Registry) read(err error) {
	if a.h != nil {
		a.h.Read(err)
	}
}

func (a Registry) wrote(err error, lost bool) {
	if a.h == nil {
		return
	}
	a.h.Wrote(err)
	if lost {
		a.h.Lost(err)
	}
}

// Recipient implements stage.Registry.
func (a Registry) Recipient(ctx context.Context, advertiser, rcpt string, products []string, now time.Time) (txn.DecreeRecipient, error) {
	r, err := a.s.Recipient(ctx, advertiser, rcpt, products, now)
	a.read(err)
	return r, err
}

// ReserveSend implements stage.Registry: a release func only when a send
// was recorded. Its failures are counted with the message's facts
// (registry_unavailable); a failed release is counted here.
func (a Registry) ReserveSend(ctx context.Context, advertiser, rcpt, direction string, capacity int, now time.Time) (int, func(context.Context) error, error) {
	n, res, err := a.s.ReserveSend(ctx, advertiser, rcpt, direction, capacity, now)
	a.wrote(err, false)
	if err != nil || !res.Reserved() {
		return n, nil, err
	}
	return n, func(ctx context.Context) error {
		err := a.s.Release(ctx, res)
		a.wrote(err, true)
		return err
	}, nil
}

// RecordRefusalMailboxes implements stage.Registry.
func (a Registry) RecordRefusalMailboxes(ctx context.Context, advertiser, recipient string, mailboxes []string, now time.Time) error {
	err := a.s.RecordRefusalMailboxes(ctx, advertiser, recipient, mailboxes, now)
	a.wrote(err, true)
	return err
}

// CaptureRefusal implements stage.Registry.
func (a Registry) CaptureRefusal(ctx context.Context, sender, rcpt string, now time.Time) ([]string, error) {
	advs, err := a.s.CaptureRefusal(ctx, sender, rcpt, now)
	a.wrote(err, true)
	return advs, err
}
