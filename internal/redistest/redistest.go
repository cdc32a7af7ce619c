// Package redistest gives tests a Valkey/Redis server: a private
// redis-server on a loopback port, started once per test binary from
// Debian's redis-server package (installed by scripts/install-test-deps.sh)
// with its own directory and no persistence, or the server named by
// MILTER91_TEST_REDIS_URL. Each URL call names a database of its own.
package redistest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valkey-io/valkey-go"

	"milter91/internal/pgtest"
)

// EnvURL names an existing server to use instead of a private one, e.g.
// redis://127.0.0.1:6379. The tests then take its databases 1 to 15 in
// turn and flush each before use: name a server that holds no data, and
// run one test binary against it at a time.
const EnvURL = "MILTER91_TEST_REDIS_URL"

// databases is how many databases the private server has: one per URL
// call of a test binary (database 0 is left unused).
const databases = 1024

// startTimeout bounds the wait for the private server's readiness.
const startTimeout = 30 * time.Second

var (
	once     sync.Once
	base     *url.URL // the server, without a database
	startErr error
	server   *private
	dbSeq    atomic.Int64
)

// Main runs the package's tests (m.Run) and stops the private server, if
// one was started. Call it from TestMain: os.Exit(redistest.Main(m)); with
// the PostgreSQL cluster too:
//
//	os.Exit(redistest.Main(redistest.RunFunc(func() int { return pgtest.Main(m) })))
func Main(m interface{ Run() int }) int {
	code := m.Run()
	if server != nil {
		server.stop()
	}
	return code
}

// URL returns redis://HOST:PORT/DB for a database no other URL call of
// this test binary got, empty. Without redis-server it fails the test
// (skips it under -short).
func URL(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		if testing.Short() {
			t.Skipf("Redis: %v", startErr)
		}
		t.Fatalf("Redis: %v (scripts/install-test-deps.sh installs redis-server)", startErr)
	}
	n := dbSeq.Add(1)
	u := *base
	if server == nil {
		u.Path = "/" + strconv.FormatInt(1+(n-1)%15, 10)
		if err := flush(u.String()); err != nil {
			t.Fatalf("Redis %s: flush: %v", u.Redacted(), err)
		}
		return u.String()
	}
	if n >= databases {
		t.Fatalf("Redis: more than %d databases asked for in one test binary", databases-1)
	}
	u.Path = "/" + strconv.FormatInt(n, 10)
	return u.String()
}

// RunFunc is a function that runs tests, for Main.
type RunFunc func() int

// Run calls f.
func (f RunFunc) Run() int { return f() }

// ProxyURL returns URL(t) reached through a new pgtest.Proxy, and the
// Proxy, to cut the server away and bring it back.
func ProxyURL(t testing.TB) (string, *pgtest.Proxy) {
	t.Helper()
	u, err := url.Parse(URL(t))
	if err != nil {
		t.Fatal(err)
	}
	p := pgtest.NewProxy(t, u.Host)
	u.Host = p.Addr()
	return u.String(), p
}

func start() {
	if env := os.Getenv(EnvURL); env != "" {
		base, startErr = url.Parse(env)
		return
	}
	server, startErr = startPrivate()
	if startErr == nil {
		base = &url.URL{Scheme: "redis", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(server.port))}
	}
}

// flush empties the database target names.
func flush(target string) error {
	opt, err := valkey.ParseURL(target)
	if err != nil {
		return err
	}
	opt.DisableCache = true
	c, err := valkey.NewClient(opt)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	return c.Do(ctx, c.B().Flushdb().Build()).Error()
}

// private is a redis-server process with a temporary directory.
type private struct {
	cmd  *exec.Cmd
	dir  string
	port int
	done chan struct{} // closed when the process has exited
}

// startPrivate runs redis-server on a free loopback port, without
// snapshots or an append-only file, and waits for its readiness notice
// (the systemd notify protocol on a socket of our own: no polling).
func startPrivate() (*private, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("no redis-server on PATH and %s unset", EnvURL)
	}
	dir, err := os.MkdirTemp("", "milter91-redis-")
	if err != nil {
		return nil, err
	}
	p := &private{dir: dir, done: make(chan struct{})}
	if p.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ready, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "notify"), Net: "unixgram"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer ready.Close()
	p.cmd = exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(p.port), "--dir", dir,
		"--save", "", "--appendonly", "no", "--databases", strconv.Itoa(databases),
		"--daemonize", "no", "--supervised", "systemd", "--logfile", filepath.Join(dir, "log"))
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+filepath.Join(dir, "notify"))
	dieWithParent(p.cmd)
	if err := p.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	if err := p.awaitReady(ready); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		p.stop()
		return nil, fmt.Errorf("redis-server: %v: %s", err, log)
	}
	return p, nil
}

// awaitReady reads notices until READY=1, the process's exit or the
// start timeout.
func (p *private) awaitReady(ready *net.UnixConn) error {
	go func() {
		<-p.done
		ready.SetReadDeadline(time.Now()) // wake the read: the server is gone
	}()
	ready.SetReadDeadline(time.Now().Add(startTimeout))
	buf := make([]byte, 4096)
	for {
		n, err := ready.Read(buf)
		if err != nil {
			select {
			case <-p.done:
				return fmt.Errorf("exited before it was ready: %v", p.cmd.ProcessState)
			default:
				return fmt.Errorf("not ready after %v: %w", startTimeout, err)
			}
		}
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			if line == "READY=1" {
				return nil
			}
		}
	}
}

func (p *private) stop() {
	p.cmd.Process.Kill()
	<-p.done
	os.RemoveAll(p.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
