package registry

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"milter91/internal/sqldb"
	"milter91/internal/txn"
)

// Window is the frequency window of Art. 13.5: a rolling 24 h (the window
// shape is our choice). A send at T counts for messages after T-Window
// (and before T+Window).
const Window = 24 * time.Hour

// Reservation is one recorded send that Release can undo; the zero value
// means nothing was recorded.
type Reservation struct {
	id int64
}

// Reserved reports whether r holds a recorded send.
func (r Reservation) Reserved() bool { return r.id != 0 }

// ReserveSend counts the advertising emails from advertiser to rcpt
// recorded in the Window before now, in every direction (Decree 91/2020
// Art. 13.5 counts what the recipient receives: an ad a customer sends and
// one the MX receives are both ads to that address), and, when that count
// is below capacity, records this message as sent in direction
// (txn.DirectionInbound or txn.DirectionOutbound) at now. The count is
// exact under concurrency, on one host or several, at any isolation the
// database defaults to:
//   - count and insert run in one write transaction that first takes the
//     (advertiser, recipient) lock: SQLite's BEGIN IMMEDIATE excludes every
//     other writer; PostgreSQL takes a transaction-scoped advisory lock,
//     in a transaction begun explicitly at READ COMMITTED (sqldb.DB.Write),
//     so that the count, a later statement, sees every send committed
//     before the lock was granted (at REPEATABLE READ or SERIALIZABLE the
//     snapshot would predate the wait);
//   - now is called once the lock is held, so no send committed before is
//     later than this one, and the count has no upper time bound, so a
//     host whose clock is behind still sees every recorded send.
//
// It returns the count before this message and the reservation (zero when
// the cap was reached). capacity < 0 is an error; 0 reserves nothing.
func (s *Store) ReserveSend(ctx context.Context, advertiser, rcpt, direction string, capacity int, now func() time.Time) (int, Reservation, error) {
	adv, err := normAdvertiser(advertiser)
	if err != nil {
		return 0, Reservation{}, fmt.Errorf("registry: %w", err)
	}
	addr, err := normAddress(rcpt)
	if err != nil {
		return 0, Reservation{}, fmt.Errorf("registry: recipient: %w", err)
	}
	if direction != txn.DirectionInbound && direction != txn.DirectionOutbound {
		return 0, Reservation{}, fmt.Errorf("registry: direction %q: want %s or %s", direction, txn.DirectionInbound, txn.DirectionOutbound)
	}
	if capacity < 0 {
		return 0, Reservation{}, fmt.Errorf("registry: negative cap %d", capacity)
	}
	var sent int
	var res Reservation
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.db.LockKey(ctx, tx, sendKey(adv, addr)); err != nil {
			return fmt.Errorf("registry: count sends: %w", err)
		}
		t := ms(now())
		if err := tx.StmtContext(ctx, s.hot.countSends).QueryRowContext(ctx,
			adv, addr, t-Window.Milliseconds()).Scan(&sent); err != nil {
			return fmt.Errorf("registry: count sends: %w", err)
		}
		if sent >= capacity {
			return nil
		}
		id, err := s.recordSend(ctx, tx, adv, addr, direction, t)
		res.id = id
		return err
	})
	if err != nil {
		return 0, Reservation{}, err
	}
	return sent, res, nil
}

// recordSend inserts one send at t (Unix ms) and returns its id.
func (s *Store) recordSend(ctx context.Context, tx *sql.Tx, adv, addr, direction string, t int64) (int64, error) {
	st := tx.StmtContext(ctx, s.hot.insertSend)
	var id int64
	var err error
	if s.db.Dialect == sqldb.Postgres {
		err = st.QueryRowContext(ctx, adv, addr, direction, t).Scan(&id)
	} else {
		var r sql.Result
		if r, err = st.ExecContext(ctx, adv, addr, direction, t); err == nil {
			id, err = r.LastInsertId()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("registry: record send: %w", err)
	}
	return id, nil
}

// Release deletes the send res recorded (the message was finally not
// accepted), freeing its slot. A zero or already released reservation is
// a no-op.
func (s *Store) Release(ctx context.Context, res Reservation) error {
	if !res.Reserved() {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM sends WHERE id = ?`), res.id); err != nil {
			return fmt.Errorf("registry: release send: %w", err)
		}
		return nil
	})
}

// sendKey is the lock key of one send counter. normAdvertiser and
// normAddress admit no space, so the space cannot make two counters share
// a key; NUL would be the usual separator, but PostgreSQL text refuses it.
func sendKey(adv, addr string) string {
	return adv + " " + addr
}
