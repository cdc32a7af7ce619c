package registry

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/internal/sqldb"
	"milter91/internal/txn"
)

// Two MX hosts (two Stores on one database) reserving for one pair at
// once with cap 3: exactly 3 pass in all, never 3 per host (Art. 13.5).
func TestTwoHostsShareCap(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		target := b.target(t)
		hosts := []*Store{openAt(t, target), openAt(t, target)}
		const workers = 40
		type result struct {
			before   int
			reserved bool
			err      error
		}
		results := make([]result, workers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				n, res, err := hosts[i%len(hosts)].ReserveSend(context.Background(), adv, rcpt, txn.DirectionInbound, 3, clock(t0))
				results[i] = result{before: n, reserved: res.Reserved(), err: err}
			}()
		}
		close(start)
		wg.Wait()
		seen := map[int]bool{}
		for i, r := range results {
			switch {
			case r.err != nil:
				t.Errorf("worker %d: %v", i, r.err)
			case r.reserved && seen[r.before]:
				t.Errorf("two reservations saw sentBefore=%d", r.before)
			case r.reserved:
				seen[r.before] = true
			case r.before != 3:
				t.Errorf("worker %d: not reserved with sentBefore=%d, want 3", i, r.before)
			}
		}
		if len(seen) != 3 {
			t.Errorf("%d reserved across both hosts, want exactly 3", len(seen))
		}
		if n, res := reserve(t, hosts[1], adv, rcpt, txn.DirectionInbound, 3, t0.Add(time.Second)); n != 3 || res.Reserved() {
			t.Errorf("afterwards: sentBefore=%d reserved=%v, want 3 false", n, res.Reserved())
		}
	})
}

// Several hosts starting at once on an empty database migrate it once; a
// later start finds it current; one host's writes are the other's reads.
// The database exists before: sqldb's switch of a brand-new SQLite file to
// WAL can fail with SQLITE_BUSY when two processes make it at once, which
// is sqldb's to fix, not the registry's.
func TestMigrateConcurrently(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)
		empty, err := sqldb.Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		if err := errors.Join(empty.Write(ctx, func(*sql.Tx) error { return nil }), empty.Close()); err != nil {
			t.Fatal(err)
		}
		const hosts = 4
		stores := make([]*Store, hosts)
		errs := make([]error, hosts)
		var wg sync.WaitGroup
		for i := range hosts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stores[i], errs[i] = Open(ctx, target)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("host %d: Open: %v", i, err)
			}
			t.Cleanup(func() { stores[i].Close() })
		}
		again := openAt(t, target)
		if v, err := again.db.SchemaVersion(ctx, component); err != nil || v != 1 {
			t.Errorf("schema version %d, %v; want 1", v, err)
		}
		addConsent(t, stores[0], Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
		for i, s := range append(stores, again) {
			if consent, _, _ := recipient(t, s, adv, rcpt, nil, t0); !consent {
				t.Errorf("store %d does not see the consent", i)
			}
		}
	})
}

// A schema written by a newer milter91 is refused, not used.
func TestOpenRefusesNewerSchema(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)
		s := openAt(t, target)
		if _, err := s.db.W.ExecContext(ctx, `UPDATE milter91_schema SET version = 2 WHERE component = 'registry'`); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(ctx, target)
		if err == nil {
			s2.Close()
			t.Fatal("opened a version 2 schema")
		}
		if !strings.Contains(err.Error(), "schema version 2, this program knows 1") {
			t.Errorf("error %v, want the two versions named", err)
		}
	})
}

// legacyObjects lists the schema objects of a SQLite file but the
// versions table, as "type name: sql".
func legacyObjects(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_master
		WHERE name <> 'milter91_schema' AND name NOT LIKE 'sqlite_autoindex_milter91%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, stmt string
		if err := rows.Scan(&typ, &name, &stmt); err != nil {
			t.Fatal(err)
		}
		out = append(out, typ+" "+name+": "+stmt)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A file made by milter91 before the versions table (PRAGMA user_version
// = 1, no milter91_schema) is adopted as version 1 as it is: its tables
// and rows stay, nothing is created again.
func TestLegacySQLiteAdopted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "legacy.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	setup := append(append([]string{}, schemaV1...),
		`PRAGMA user_version = 1`,
		`INSERT INTO consents (advertiser, recipient, method, consented_at, last_used_at)
			VALUES ('example.com', 'user@example.net', 'form', 1772323200000, 1772323200000)`, // 2026-03-01T00:00Z
		`INSERT INTO sends (advertiser, recipient, direction, sent_at)
			VALUES ('example.com', 'user@example.net', 'outbound', 1772355600000)`, // t0 = 2026-03-01T09:00Z
	)
	for _, stmt := range setup {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	before := legacyObjects(t, raw)

	s := openAt(t, path)
	if consent, _, _ := recipient(t, s, adv, rcpt, nil, t0.Add(time.Minute)); !consent {
		t.Error("the legacy consent is not seen")
	}
	if n, res := reserve(t, s, adv, rcpt, txn.DirectionOutbound, 3, t0.Add(time.Minute)); n != 1 || !res.Reserved() {
		t.Errorf("ReserveSend: sentBefore=%d reserved=%v, want the legacy send counted: 1 true", n, res.Reserved())
	}
	addRefusal(t, s, Refusal{Advertiser: adv2, Recipient: rcpt, Scope: ScopeAll, Time: t0, Channel: ChannelWeb})
	if v, err := s.db.SchemaVersion(ctx, component); err != nil || v != 1 {
		t.Errorf("recorded version %d, %v; want 1", v, err)
	}
	if after := legacyObjects(t, raw); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("schema changed by adoption:\n%s\nwas:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	var user int
	if err := raw.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&user); err != nil || user != 1 {
		t.Errorf("user_version %d, %v; want 1 kept", user, err)
	}
	reopened := openAt(t, path)
	if _, _, refused := recipient(t, reopened, adv2, rcpt, nil, t0.Add(time.Minute)); !refused {
		t.Error("a refusal written after adoption is lost on reopen")
	}
}

// Ping answers on an open registry, empty or not, and fails once closed.
func TestPing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, err := Open(ctx, b.target(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Errorf("empty registry: %v", err)
		}
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
		if err := s.Ping(ctx); err != nil {
			t.Errorf("with a consent: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); err == nil {
			t.Error("closed registry: no error")
		}
	})
}
