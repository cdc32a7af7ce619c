// Package pgtest gives tests a PostgreSQL database: a private cluster on a
// loopback port, started once per test binary from Debian's postgresql
// binaries (installed by scripts/install-test-deps.sh), or the server named
// by MILTER91_TEST_PG_DSN. Each DSN call creates a fresh database.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvDSN names an existing server to use instead of a private cluster: a
// URL whose user may create databases, e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvDSN = "MILTER91_TEST_PG_DSN"

var (
	once     sync.Once
	admin    string // DSN of the maintenance database
	startErr error
	cluster  *private
	dbSeq    atomic.Int64
)

// Main runs the package's tests and stops the private cluster, if one was
// started. Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if cluster != nil {
		cluster.stop()
	}
	return code
}

// DSN returns the URL of a new, empty database. Without PostgreSQL
// binaries it fails the test (skips it under -short).
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		if testing.Short() {
			t.Skipf("PostgreSQL: %v", startErr)
		}
		t.Fatalf("PostgreSQL: %v (scripts/install-test-deps.sh installs it)", startErr)
	}
	name := fmt.Sprintf("milter91_t%d_%d", os.Getpid(), dbSeq.Add(1))
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	return withDatabase(admin, name)
}

func start() {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		admin = dsn
		return
	}
	cluster, startErr = startPrivate()
	if startErr == nil {
		admin = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", cluster.port)
	}
}

// withDatabase replaces the database path of a URL DSN.
func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

// private is a cluster in a temporary directory.
type private struct {
	bin, dir string
	port     int
	asUser   []string // runuser prefix when running as root
}

func startPrivate() (*private, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "milter91-pg-")
	if err != nil {
		return nil, err
	}
	p := &private{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		if err := p.dropRoot(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if p.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := p.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", p.port, dir)
	if out, err := p.run("pg_ctl", "-D", data, "-w", "-t", "60", "-l", filepath.Join(dir, "log"), "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	return p, nil
}

// dropRoot hands the directory to the postgres user and runs the server
// as that user.
func (p *private) dropRoot() error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(p.dir, uid, gid); err != nil {
		return err
	}
	p.asUser = []string{"runuser", "-u", "postgres", "--"}
	return nil
}

func (p *private) run(prog string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, p.asUser...), filepath.Join(p.bin, prog)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = p.dir
	return cmd.CombinedOutput()
}

func (p *private) stop() {
	p.run("pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(p.dir)
}

// binDir finds the newest Debian PostgreSQL server binaries.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var ok []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			ok = append(ok, d)
		}
	}
	if len(ok) == 0 {
		return "", fmt.Errorf("no initdb under /usr/lib/postgresql/*/bin and %s unset", EnvDSN)
	}
	sort.Slice(ok, func(i, j int) bool { return version(ok[i]) < version(ok[j]) })
	return ok[len(ok)-1], nil
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Backend is one kind of store a contract test runs on: Target returns
// the sqldb.Open target of a new, empty database of that kind.
type Backend struct {
	Name   string
	Target func(testing.TB) string
}

// Backends are a SQLite file named file in the test's temporary directory
// and a database of PostgreSQL (DSN), in that order.
func Backends(file string) []Backend {
	return []Backend{
		{Name: "sqlite", Target: func(t testing.TB) string { return filepath.Join(t.TempDir(), file) }},
		{Name: "postgres", Target: DSN},
	}
}
