package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"milter91/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// backends opens one DB per dialect.
func backends(t *testing.T) map[string]*DB {
	t.Helper()
	ctx := context.Background()
	out := map[string]*DB{}
	for name, target := range map[string]string{
		"sqlite":   filepath.Join(t.TempDir(), "s.db"),
		"postgres": pgtest.DSN(t),
	} {
		db, err := Open(ctx, target)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { db.Close() })
		out[name] = db
	}
	return out
}

func TestRebind(t *testing.T) {
	pg := &DB{Dialect: Postgres}
	lite := &DB{Dialect: SQLite}
	for _, c := range []struct{ in, want string }{
		{in: `SELECT a FROM t WHERE a = ? AND b = ?`, want: `SELECT a FROM t WHERE a = $1 AND b = $2`},
		{in: `SELECT '?' , "q?" FROM t WHERE a = ?`, want: `SELECT '?' , "q?" FROM t WHERE a = $1`},
		{in: "SELECT 1 -- what?\nWHERE a = ?", want: "SELECT 1 -- what?\nWHERE a = $1"},
		{in: `SELECT 1`, want: `SELECT 1`},
	} {
		if got := pg.Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := lite.Rebind(c.in); got != c.in {
			t.Errorf("SQLite Rebind changed %q to %q", c.in, got)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, target := range []string{"", ":memory:", "file:x.db", "a.db?mode=ro",
		"postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"} {
		if db, err := Open(ctx, target); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", target)
		}
	}
}

var steps = []Step{
	{
		SQLite:   []string{`CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`},
		Postgres: []string{`CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)`},
	},
	{
		SQLite:   []string{`ALTER TABLE kv ADD COLUMN note TEXT NOT NULL DEFAULT ''`},
		Postgres: []string{`ALTER TABLE kv ADD COLUMN note TEXT NOT NULL DEFAULT ''`},
	},
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	for name, db := range backends(t) {
		t.Run(name, func(t *testing.T) {
			if err := db.Migrate(ctx, "test", steps[:1]); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx, "test", steps); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx, "test", steps); err != nil {
				t.Fatalf("second run: %v", err)
			}
			if v, err := db.SchemaVersion(ctx, "test"); err != nil || v != 2 {
				t.Fatalf("version = %d, %v; want 2", v, err)
			}
			if err := db.Migrate(ctx, "test", steps[:1]); err == nil || !strings.Contains(err.Error(), "version 2") {
				t.Fatalf("older program on newer schema: %v", err)
			}
			bad := append(steps[:2:2], Step{SQLite: []string{`CREATE TABLE x (`}, Postgres: []string{`CREATE TABLE x (`}})
			if err := db.Migrate(ctx, "test", bad); err == nil {
				t.Fatal("broken step applied")
			}
			if v, _ := db.SchemaVersion(ctx, "test"); v != 2 {
				t.Fatalf("version after failed step = %d", v)
			}
			if v, _ := db.SchemaVersion(ctx, "other"); v != 0 {
				t.Fatalf("other component version = %d", v)
			}
		})
	}
}

// TestLockKeySerializes runs read-count-then-insert transactions
// concurrently; with the lock no two see the same count.
func TestLockKeySerializes(t *testing.T) {
	ctx := context.Background()
	for name, db := range backends(t) {
		t.Run(name, func(t *testing.T) {
			if err := db.Migrate(ctx, "test", steps); err != nil {
				t.Fatal(err)
			}
			const n = 20
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- db.Write(ctx, func(tx *sql.Tx) error {
						if err := db.LockKey(ctx, tx, "counter"); err != nil {
							return err
						}
						var c int
						if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&c); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO kv (k, v) VALUES (?, ?)`), "k"+string(rune('a'+c)), c)
						return err
					})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			var rows int
			err := db.Read(ctx, func(tx *sql.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT count(DISTINCT v) FROM kv`).Scan(&rows)
			})
			if err != nil || rows != n {
				t.Fatalf("distinct counts = %d, %v; want %d", rows, err, n)
			}
		})
	}
}

// TestConcurrentCreate opens one new SQLite file from several goroutines
// at once (as the daemon and a CLI command may): every Open and Migrate
// succeeds.
func TestConcurrentCreate(t *testing.T) {
	ctx := context.Background()
	for round := 0; round < 10; round++ {
		path := filepath.Join(t.TempDir(), "new.db")
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := Open(ctx, path)
				if err == nil {
					err = db.Migrate(ctx, "test", steps)
					db.Close()
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

// ExistingVersion reads without creating anything.
func TestExistingVersion(t *testing.T) {
	ctx := context.Background()
	for name, db := range backends(t) {
		t.Run(name, func(t *testing.T) {
			if v, err := db.ExistingVersion(ctx, "test"); err != nil || v != 0 {
				t.Fatalf("empty database: %d, %v", v, err)
			}
			if v, _ := db.SchemaVersion(ctx, "other"); v != 0 {
				t.Fatal("setup")
			}
			if v, err := db.ExistingVersion(ctx, "test"); err != nil || v != 0 {
				t.Fatalf("versions table without the component: %d, %v", v, err)
			}
			if err := db.Migrate(ctx, "test", steps); err != nil {
				t.Fatal(err)
			}
			if v, err := db.ExistingVersion(ctx, "test"); err != nil || v != 2 {
				t.Fatalf("migrated: %d, %v; want 2", v, err)
			}
		})
	}
}

// A SQLite file deleted or replaced under an open DB: Write fails with
// ErrFileChanged instead of committing into the unlinked file.
func TestWriteDetectsChangedFile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(path string) error
	}{
		{name: "deleted", change: os.Remove},
		{name: "replaced", change: func(path string) error {
			other := path + ".new"
			if err := os.WriteFile(other, nil, 0o600); err != nil {
				return err
			}
			return os.Rename(other, path)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			exec := func(tx *sql.Tx) error { _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS t (v INTEGER)`); return err }
			if err := db.Write(ctx, exec); err != nil || db.CheckFile() != nil {
				t.Fatalf("first write %v, CheckFile %v", err, db.CheckFile())
			}
			if err := tc.change(path); err != nil {
				t.Fatal(err)
			}
			if err := db.Write(ctx, exec); !errors.Is(err, ErrFileChanged) {
				t.Errorf("write after the file %s: %v, want ErrFileChanged", tc.name, err)
			}
		})
	}
	pg, err := Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if err := pg.CheckFile(); err != nil {
		t.Errorf("PostgreSQL CheckFile: %v", err)
	}
}

// BenchmarkCheckFile is the cost Write adds per SQLite transaction.
func BenchmarkCheckFile(b *testing.B) {
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for b.Loop() {
		if err := db.CheckFile(); err != nil {
			b.Fatal(err)
		}
	}
}

// A SQLite store Open creates, with its WAL files, is readable by its
// owner only; an existing file keeps its mode.
func TestOpenCreatesPrivateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE t (x INTEGER)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), perm)
		}
	}
	shared := filepath.Join(dir, "shared.db")
	if err := os.WriteFile(shared, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(context.Background(), shared)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
	if fi, _ := os.Stat(shared); fi.Mode().Perm() != 0o640 {
		t.Errorf("existing file's mode changed to %04o", fi.Mode().Perm())
	}
}
