// Package e2e runs milter91 behind a real Postfix (Debian's package, a
// private instance on loopback ports) with an in-process DNS server and an
// SMTP sink that receives what Postfix relays. The tests fail, never skip,
// when Postfix is missing, except with -short (make test-unit).
package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/internal/pgtest"
	"milter91/internal/redistest"
	"milter91/internal/testdns"
)

// Slots: one smtpd port of the Postfix instance each, bound to its own
// milter port, so that tests that stop or reload a daemon get their own.
const (
	slotMain    = "main"    // the shared daemon, started in TestMain
	slotReload  = "reload"  // TestReloadKeepsRulesOnError
	slotDNSDown = "dnsdown" // TestDNSDownAcceptsWithTemperror
	slotSIGTERM = "sigterm" // TestSIGTERMExitsZero
	// The Decree 91 daemon (with a registry), shared by decree_test.go:
	// slotDecree is its inbound (MX) port, slotDecreeOut its submission
	// port, same milter, outbound by {daemon_name}.
	slotDecree    = "decree"
	slotDecreeOut = "decree-out"
	// slotSign is the signing daemon's submission port (outbound by
	// {daemon_name}), TestSignedMessageVerifiesAtNextHop.
	slotSign = "sign"
)

// slotNames: slotDecree comes before slotDecreeOut, which reuses its milter.
var slotNames = []string{slotMain, slotReload, slotDNSDown, slotSIGTERM, slotDecree, slotDecreeOut, slotSign}

// sharedSlot is a slot whose smtpd service uses the milter of the slot
// milterOf (listed before it in slotNames) with {daemon_name} daemonName.
type sharedSlot struct{ milterOf, daemonName string }

// nonSMTPDSlot names the slot whose milter Postfix also asks about
// locally submitted mail (non_smtpd_milters).
var nonSMTPDSlot string

// sharedSlots are the slots that reuse another slot's milter.
var sharedSlots = map[string]sharedSlot{slotDecreeOut: {slotDecree, outboundDaemonName}}

// env is the set-up shared by all tests.
type env struct {
	root    string // 0755 directory under /tmp: short paths for Postfix's sockets
	bin     string // the milter91 binary
	sink    *sink
	zone    *testdns.Zone
	dns     *testdns.Server
	postfix *postfixInstance
	slots   map[string]smtpdListener
	main    *daemon
	decree  *daemon // the Decree 91 daemon of slotDecree and slotDecreeOut
	dkimKey *rsa.PrivateKey
	// sasl is the SMTP AUTH backend of the slots in saslSlots.
	sasl *saslServer
}

// saslSlots are the slots whose smtpd offers SMTP AUTH (PLAIN, any user
// with saslPassword) through e.sasl.
var saslSlots = map[string]bool{}

var (
	shared   *env
	setupErr error
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	shared, setupErr = setup(ctx)
	cancel()
	// m.Run, then stop the PostgreSQL cluster and the Redis server if a
	// test started them.
	code := redistest.Main(redistest.RunFunc(func() int { return pgtest.Main(m) }))
	if shared != nil {
		if err := shared.teardown(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e teardown: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// needEnv returns the shared set-up; it skips under -short and fails the
// test when the set-up failed (e.g. Postfix could not be installed). On
// failure the daemon's and Postfix's logs are added to the test output.
func needEnv(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: needs a real Postfix; skipped with -short")
	}
	if setupErr != nil {
		t.Fatalf("e2e set-up failed: %v", setupErr)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("milter91 (shared) log tail:\n%s", tailFile(shared.main.LogPath, 16<<10))
			t.Logf("postfix maillog tail:\n%s", tailFile(shared.postfix.Maillog, 8<<10))
		}
	})
	return shared
}

// setup starts everything; on error it stops what it started and returns
// no env.
func setup(ctx context.Context) (out *env, err error) {
	e := &env{slots: map[string]smtpdListener{}}
	defer func() {
		if err != nil {
			out, err = nil, errors.Join(err, e.teardown())
		}
	}()
	if e.root, err = os.MkdirTemp("/tmp", "m91e2e"); err != nil {
		return nil, err
	}
	if err = os.Chmod(e.root, 0o755); err != nil {
		return nil, err
	}
	if e.dkimKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, err
	}
	e.zone = testdns.NewZone()
	if err = fillZone(e.zone, &e.dkimKey.PublicKey); err != nil {
		return nil, err
	}
	if e.dns, err = testdns.Start(e.zone); err != nil {
		return nil, err
	}
	if e.sink, err = startSink(); err != nil {
		return nil, err
	}
	if e.bin, err = buildDaemon(ctx, e.root); err != nil {
		return nil, err
	}
	if e.sasl, err = startSASL(); err != nil {
		return nil, err
	}
	listeners := make([]smtpdListener, 0, len(slotNames))
	for _, name := range slotNames {
		l := smtpdListener{Port: freePort(), NonSMTPD: name == nonSMTPDSlot}
		if sh, ok := sharedSlots[name]; ok {
			l.MilterAddr, l.DaemonName = e.slots[sh.milterOf].MilterAddr, sh.daemonName
		} else if name == slotSign {
			l.MilterAddr, l.DaemonName = "127.0.0.1:"+strconv.Itoa(freePort()), outboundDaemonName
		} else {
			l.MilterAddr = "127.0.0.1:" + strconv.Itoa(freePort())
		}
		if saslSlots[name] {
			// The error limits let one session take hundreds of deferrals
			// (a rate limit test); Postfix hangs up after 20 by default.
			l.Options = []string{"smtpd_sasl_auth_enable=yes", "smtpd_sasl_type=dovecot", "smtpd_sasl_path=" + e.sasl.Addr(),
				"smtpd_soft_error_limit=1000", "smtpd_hard_error_limit=1000"}
		}
		e.slots[name] = l
		listeners = append(listeners, l)
	}
	if e.postfix, err = startPostfix(ctx, filepath.Join(e.root, "pf"), e.sink.Addr(), listeners); err != nil {
		return nil, err
	}
	if e.main, err = e.startDaemon(ctx, slotMain, e.dns.Addr(), nil); err != nil {
		return nil, err
	}
	e.decree, err = e.startDecreeDaemon(ctx)
	return e, err
}

// startDaemon writes a config for slot (extra rule files in rulePaths) and
// starts milter91 with the DNS server dnsAddr.
func (e *env) startDaemon(ctx context.Context, slot, dnsAddr string, rulePaths []string) (*daemon, error) {
	dir := filepath.Join(e.root, "d-"+slot)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "milter91.yml")
	milterAddr := e.slots[slot].MilterAddr
	if err := writeDaemonConfig(cfg, milterAddr, rulePaths); err != nil {
		return nil, err
	}
	return startDaemon(ctx, e.bin, cfg, dnsAddr, milterAddr, filepath.Join(dir, "milter91.log"))
}

// smtpAddr is the Postfix smtpd address (HOST:PORT) of slot.
func (e *env) smtpAddr(slot string) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(e.slots[slot].Port))
}

// teardown stops what setup started, in reverse order. The shared
// daemons must exit 0 on SIGTERM.
func (e *env) teardown() error {
	var errs []error
	for _, d := range []*daemon{e.main, e.decree} {
		if d != nil {
			errs = append(errs, d.stop(30*time.Second))
		}
	}
	if e.postfix != nil {
		errs = append(errs, e.postfix.stop())
	}
	if e.sink != nil {
		e.sink.close()
	}
	if e.sasl != nil {
		e.sasl.close()
	}
	if e.dns != nil {
		errs = append(errs, e.dns.Close())
	}
	if e.root != "" && errors.Join(errs...) == nil {
		errs = append(errs, os.RemoveAll(e.root))
	}
	return errors.Join(errs...)
}

var (
	portsMu sync.Mutex
	ports   = map[int]bool{} // handed out by freePort
)

// freePort returns a loopback TCP port that was free a moment ago and was
// not handed out before. It is taken below Linux's ephemeral range (32768
// and up) so that an outgoing connection, such as Postfix's to the sink,
// cannot occupy it before a daemon binds it. 0 when none was found, which
// makes the later listen fail visibly.
func freePort() int {
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 500 {
		port := 20000 + mrand.IntN(12000)
		if ports[port] {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		ln.Close()
		ports[port] = true
		return port
	}
	return 0
}

// writeDaemonConfig writes the daemon config the tests use: JSON logs (the
// tests read the per-message line), our authserv-id, the test blocklist,
// short DNS timeouts, the default rules and rulePaths.
func writeDaemonConfig(path, milterAddr string, rulePaths []string) error {
	list := filepath.Join(filepath.Dir(path), "national.txt")
	if err := os.WriteFile(list, []byte("# e2e national blacklist\n"+earlyIP+"\n"), 0o644); err != nil {
		return err
	}
	quoted := make([]string, len(rulePaths))
	for i, p := range rulePaths {
		quoted[i] = strconv.Quote(p)
	}
	paths := "[" + strings.Join(quoted, ", ") + "]"
	cfg := fmt.Sprintf(`listen: inet:%s
authserv_id: %s
fail_mode: tempfail
message_deadline: 20s
shutdown_grace: 10s
dns:
  timeout: 500ms
  retries: 1
dnsbl:
  zones:
    - name: %s
      codes: [{tag: sbl, match: 127.0.0.2}]
    - name: %s
      type: domain
      sources: [url, email]
lists:
  - name: national
    path: %s
    early: reject
rules:
  defaults: true
  paths: %s
log:
  format: json
  level: info
`, milterAddr, authservID, blocklistZone, uriblZone, list, paths)
	return os.WriteFile(path, []byte(cfg), 0o644)
}
