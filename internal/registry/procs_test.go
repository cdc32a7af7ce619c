package registry

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/internal/pgtest"
	"milter91/internal/txn"
)

// Environment of the helper process of TestCapExactAcrossProcesses: the
// test binary re-executed, one "daemon" holding its own Store.
const (
	envHelperTarget  = "MILTER91_CAP_HELPER_TARGET"
	envHelperWorkers = "MILTER91_CAP_HELPER_WORKERS"
	envHelperIndex   = "MILTER91_CAP_HELPER_INDEX"
)

// capProcs and capPerProc: 12 ads at once from 3 processes, 4 each.
const capProcs, capPerProc = 3, 4

// Decree 91/2020 Art. 13.5: 12 compliant ads sent at once through several
// daemon processes sharing one database, to one consenting recipient, in
// both directions: exactly 3 pass, on one SQLite file and on PostgreSQL
// whatever the database's default isolation. Each process's messages take
// the clock as the daemon does; the processes are released together once
// all have opened the store.
func TestCapExactAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts helper processes")
	}
	cases := []struct {
		name      string
		isolation string // PostgreSQL default_transaction_isolation; "" for SQLite
	}{
		{name: "sqlite"},
		{name: "postgres/read_committed", isolation: "read committed"},
		{name: "postgres/repeatable_read", isolation: "repeatable read"},
		{name: "postgres/serializable", isolation: "serializable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var target string
			if c.isolation == "" {
				target = filepath.Join(t.TempDir(), "registry.db")
			} else {
				target = pgtest.DSN(t)
				setDefaultIsolation(t, target, c.isolation)
			}
			s := openAt(t, target) // creates the schema before the helpers start
			addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
			passed := runCapHelpers(t, target)
			if passed != DefaultCap {
				t.Errorf("%d of %d ads passed the cap, want exactly %d", passed, capProcs*capPerProc, DefaultCap)
			}
			var rows int
			if err := s.read(context.Background(), func(tx *sql.Tx) error {
				return tx.QueryRow(s.q(`SELECT count(*) FROM sends WHERE advertiser = ? AND recipient = ?`), adv, rcpt).Scan(&rows)
			}); err != nil || rows != DefaultCap {
				t.Errorf("sends recorded: %d (%v), want %d", rows, err, DefaultCap)
			}
		})
	}
}

// setDefaultIsolation makes isolation the default of new sessions on the
// database of dsn, and checks that a new session has it.
func setDefaultIsolation(t *testing.T, dsn, isolation string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := strings.TrimPrefix(u.Path, "/")
	if _, err := db.Exec(fmt.Sprintf(`ALTER DATABASE %s SET default_transaction_isolation = '%s'`, name, isolation)); err != nil {
		t.Fatal(err)
	}
	db2, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var got string
	if err := db2.QueryRow(`SHOW default_transaction_isolation`).Scan(&got); err != nil || got != isolation {
		t.Fatalf("default_transaction_isolation = %q (%v), want %q", got, err, isolation)
	}
}

// runCapHelpers starts capProcs helper processes on target, releases
// them together once each has said "ready", and returns how many of their
// messages reserved a send.
func runCapHelpers(t *testing.T, target string) int {
	t.Helper()
	type proc struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bufio.Scanner
	}
	procs := make([]proc, capProcs)
	for i := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCapHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), envHelperTarget+"="+target, fmt.Sprintf("%s=%d", envHelperWorkers, capPerProc),
			fmt.Sprintf("%s=%d", envHelperIndex, i))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[i] = proc{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	for i, p := range procs {
		if !scanUntil(p.out, "ready") {
			t.Fatalf("helper %d did not get ready", i)
		}
	}
	for _, p := range procs {
		io.WriteString(p.stdin, "go\n")
	}
	passed := 0
	for i, p := range procs {
		for p.out.Scan() {
			line := p.out.Text()
			switch {
			case line == "reserved":
				passed++
			case line == "capped", strings.HasPrefix(line, "PASS"), strings.HasPrefix(line, "ok"):
			case strings.HasPrefix(line, "error"):
				t.Errorf("helper %d: %s", i, line)
			}
		}
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v", i, err)
		}
	}
	return passed
}

// scanUntil reads lines until want, false at the end of the output.
func scanUntil(sc *bufio.Scanner, want string) bool {
	for sc.Scan() {
		if sc.Text() == want {
			return true
		}
	}
	return false
}

// TestCapHelperProcess is one daemon of TestCapExactAcrossProcesses: it
// opens the store, says "ready", waits for "go", then sends its messages
// at once as the stage does (Recipient, then ReserveSend with the clock),
// alternating the direction, and prints "reserved" or "capped" for each.
// Run alone it does nothing.
func TestCapHelperProcess(t *testing.T) {
	target := os.Getenv(envHelperTarget)
	if target == "" {
		t.Skip("helper process of TestCapExactAcrossProcesses")
	}
	var workers, index int
	fmt.Sscan(os.Getenv(envHelperWorkers), &workers)
	fmt.Sscan(os.Getenv(envHelperIndex), &index)
	s := openAt(t, target)
	fmt.Println("ready")
	if !scanUntil(bufio.NewScanner(os.Stdin), "go") {
		t.Fatal("no go")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lines := make([]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			direction := txn.DirectionInbound
			if (index+w)%2 == 1 {
				direction = txn.DirectionOutbound
			}
			r, err := s.Recipient(ctx, adv, rcpt, nil, time.Now())
			if err != nil || !r.Consent {
				lines[w] = fmt.Sprintf("error: recipient: consent=%v %v", r.Consent, err)
				return
			}
			_, res, err := s.ReserveSend(ctx, adv, rcpt, direction, r.Cap, time.Now)
			switch {
			case err != nil:
				lines[w] = "error: " + err.Error()
			case res.Reserved():
				lines[w] = "reserved"
			default:
				lines[w] = "capped"
			}
		})
	}
	wg.Wait()
	for _, l := range lines {
		fmt.Println(l)
	}
}
