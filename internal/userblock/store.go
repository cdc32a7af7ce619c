// Package userblock is the store of users' own block lists (Decree 91/2020
// Art. 10.2: the service lets its users block spam): per recipient, a
// sender address, a sender domain (with its subdomains) or an advertiser
// id whose mail that recipient does not want. It lives on internal/sqldb
// (one SQLite file or a PostgreSQL database shared by every MX host), in
// its own table and schema component ("userblock"), so that it can share
// the database of the Decree 91 registry.
//
// The store only answers which entries match a message (Match); the rules
// decide what happens (the shipped USER_BLOCKLIST removes that recipient).
package userblock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"milter91/internal/sqldb"
)

// Kinds of entries.
const (
	// KindAddress blocks one sender address: the envelope sender or a
	// From address, compared whole and lower-cased.
	KindAddress = "address"
	// KindDomain blocks a sender domain and its subdomains.
	KindDomain = "domain"
	// KindAdvertiser blocks an advertiser id (Decree 91/2020 Art. 2.4: the
	// organizational domain of the aligned DKIM d=, else of the From
	// domain), whatever address or subdomain it sends from.
	KindAdvertiser = "advertiser"
)

// Sources of entries.
const (
	SourceAPI    = "api"    // the admin API
	SourceCLI    = "cli"    // milter91 block add
	SourceReport = "report" // a user's spam report
)

// Block is one entry of a recipient's block list.
type Block struct {
	// Recipient is the local address whose list it is, lower-cased.
	Recipient string `json:"recipient"`
	// Kind is KindAddress, KindDomain or KindAdvertiser.
	Kind string `json:"kind"`
	// Value is the blocked address, domain or advertiser id, normalised
	// (lower case, A-labels).
	Value string `json:"value"`
	// Time is when the entry was added (UTC, milliseconds).
	Time time.Time `json:"time"`
	// Source is SourceAPI, SourceCLI or SourceReport.
	Source string `json:"source"`
	// Note is free text, at most MaxNote bytes.
	Note string `json:"note"`
}

// Key is a block's place in the listing order (recipient, kind, value).
type Key struct{ Recipient, Kind, Value string }

// Key returns b's place in the listing order.
func (b Block) Key() Key { return Key{Recipient: b.Recipient, Kind: b.Kind, Value: b.Value} }

// Store is an open block-list store; safe for concurrent use.
type Store struct {
	db *sqldb.DB
}

// component is the store's name in the milter91_schema table.
const component = "userblock"

var steps = []sqldb.Step{{
	SQLite: []string{`CREATE TABLE user_blocks (
		recipient TEXT    NOT NULL,
		kind      TEXT    NOT NULL,
		value     TEXT    NOT NULL,
		added_at  INTEGER NOT NULL,
		source    TEXT    NOT NULL,
		note      TEXT    NOT NULL DEFAULT '',
		PRIMARY KEY (recipient, kind, value)
	) WITHOUT ROWID`},
	Postgres: []string{`CREATE TABLE user_blocks (
		recipient TEXT COLLATE "C" NOT NULL,
		kind      TEXT COLLATE "C" NOT NULL,
		value     TEXT COLLATE "C" NOT NULL,
		added_at  BIGINT NOT NULL,
		source    TEXT   NOT NULL,
		note      TEXT   NOT NULL DEFAULT '',
		PRIMARY KEY (recipient, kind, value)
	)`},
}}

// Open opens the store at target (a SQLite file name, created when
// missing, or a postgres:// URL; see sqldb.Open) and creates or upgrades
// its table. Errors: sqldb.Open's, a schema newer than this program's.
func Open(ctx context.Context, target string) (*Store, error) {
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("userblock: %w", err)
	}
	if err := db.Migrate(ctx, component, steps); err != nil {
		db.Close()
		return nil, fmt.Errorf("userblock: %s: %w", db.Name, err)
	}
	return &Store{db: db}, nil
}

// Close closes the connection pools.
func (s *Store) Close() error { return s.db.Close() }

// Add records b (Time defaults to now, Source to SourceAPI) and returns
// it as stored. Adding an entry again keeps the first time and replaces
// the source and note. Errors: an *InvalidError (ErrInvalid) naming the
// bad fields, or the store's.
func (s *Store) Add(ctx context.Context, b Block, now time.Time) (Block, error) {
	if b.Time.IsZero() {
		b.Time = now
	}
	if b.Source == "" {
		b.Source = SourceAPI
	}
	b, err := b.normalize()
	if err != nil {
		return b, err
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO user_blocks (recipient, kind, value, added_at, source, note)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (recipient, kind, value) DO UPDATE SET source = excluded.source, note = excluded.note`),
			b.Recipient, b.Kind, b.Value, b.Time.UnixMilli(), b.Source, b.Note)
		return err
	})
	if err != nil {
		return b, fmt.Errorf("userblock: add: %w", err)
	}
	return b, nil
}

// Remove deletes one entry and reports whether it existed. Errors: an
// invalid key (ErrInvalid), or the store's.
func (s *Store) Remove(ctx context.Context, k Key) (bool, error) {
	b, err := Block{Recipient: k.Recipient, Kind: k.Kind, Value: k.Value, Time: time.Unix(0, 0), Source: SourceAPI}.normalize()
	if err != nil {
		return false, err
	}
	var n int64
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM user_blocks WHERE recipient = ? AND kind = ? AND value = ?`),
			b.Recipient, b.Kind, b.Value)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("userblock: remove: %w", err)
	}
	return n > 0, nil
}

// ErrInvalid is matched (errors.Is) by every error about bad input.
var ErrInvalid = errors.New("invalid block-list entry")

// InvalidError lists what is wrong with an entry or a filter.
type InvalidError struct{ Reasons []error }

func (e *InvalidError) Error() string { return "userblock: " + errors.Join(e.Reasons...).Error() }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }
