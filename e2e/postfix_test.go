package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	postfixBin     = "/usr/sbin/postfix"
	postconfBin    = "/usr/sbin/postconf"
	defaultMainCF  = "/etc/postfix/main.cf"
	defaultMaster  = "/etc/postfix/master.cf"
	alternateLock  = "/tmp/milter91-e2e-postfix.lock"
	postfixHost    = "mx.e2e.test"
	postfixTimeout = 30 * time.Second
)

// smtpdListener is one smtpd service of the private instance: an SMTP port
// on 127.0.0.1 whose messages go through the milter at MilterAddr
// (HOST:PORT). A non-empty DaemonName is the {daemon_name} macro the milter
// gets (milter_macro_daemon_name), as on a submission service. The milter
// of the listener with NonSMTPD also filters locally submitted mail
// (non_smtpd_milters: sendmail(1), postdrop, pickup).
type smtpdListener struct {
	Port       int
	MilterAddr string
	DaemonName string
	NonSMTPD   bool
	// Options are more "-o name=value" settings of this smtpd.
	Options []string
}

// postfixInstance is a private Postfix instance (postfix -c DIR) under Root:
// Root/etc is its config directory, Root/queue and Root/data its queue and
// data directories, Root/maillog its log file.
type postfixInstance struct {
	Root      string
	ConfigDir string
	Maillog   string
	// Host is its myhostname: two instances relaying to each other need
	// different ones (Postfix refuses mail that loops back to itself).
	Host string
}

// startPostfix creates and starts a private instance that relays every
// accepted message to the SMTP sink at sinkAddr (HOST:PORT). The first
// listener's milter is also the instance default. Root must be traversable
// by the postfix user (mode 0755 up the chain) and short, since Postfix
// puts unix sockets under it.
func startPostfix(ctx context.Context, root, sinkAddr string, listeners []smtpdListener) (*postfixInstance, error) {
	return startPostfixHost(ctx, root, postfixHost, sinkAddr, listeners)
}

// startPostfixHost is startPostfix for an instance whose myhostname is
// host (two instances relaying to each other need two names, or Postfix
// sees a mail loop). A first listener without MilterAddr gives an
// instance without milters.
func startPostfixHost(ctx context.Context, root, host, sinkAddr string, listeners []smtpdListener) (*postfixInstance, error) {
	if _, err := os.Stat(postfixBin); err != nil {
		return nil, fmt.Errorf("postfix is not installed (%w); run scripts/install-test-deps.sh as root", err)
	}
	p := &postfixInstance{
		Root:      root,
		ConfigDir: filepath.Join(root, "etc"),
		Maillog:   filepath.Join(root, "maillog"),
		Host:      host,
	}
	if err := p.layout(); err != nil {
		return nil, err
	}
	local := ""
	for _, l := range listeners {
		if l.NonSMTPD && local == "" {
			local = "inet:" + l.MilterAddr
		}
	}
	if err := writeMainCF(p, host, sinkAddr, listeners[0].MilterAddr, local); err != nil {
		return nil, err
	}
	if err := writeMasterCF(p.ConfigDir, listeners); err != nil {
		return nil, err
	}
	if err := editAlternateDirs(p.ConfigDir, true); err != nil {
		return nil, err
	}
	if err := p.run(ctx, "check"); err != nil {
		return nil, errors.Join(err, editAlternateDirs(p.ConfigDir, false))
	}
	if err := p.run(ctx, "start"); err != nil {
		return nil, errors.Join(err, editAlternateDirs(p.ConfigDir, false))
	}
	for _, l := range listeners {
		if err := waitPort(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(l.Port))); err != nil {
			return nil, errors.Join(fmt.Errorf("postfix smtpd: %w", err), p.stop())
		}
	}
	return p, nil
}

// layout creates the directories: everything 0755 so that the unprivileged
// postfix processes can reach their sockets, data_directory owned by
// postfix (Postfix refuses a root-owned one).
func (p *postfixInstance) layout() error {
	pf, err := user.Lookup("postfix")
	if err != nil {
		return fmt.Errorf("postfix user: %w", err)
	}
	uid, _ := strconv.Atoi(pf.Uid)
	gid, _ := strconv.Atoi(pf.Gid)
	for _, d := range []string{p.Root, p.ConfigDir, filepath.Join(p.Root, "queue"), filepath.Join(p.Root, "data")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	return os.Chown(filepath.Join(p.Root, "data"), uid, gid)
}

// writeMainCF writes the instance's main.cf: relay everything for the test
// domains to the sink, one milter (and nonSMTPDMilters for local
// submission, "" for none), XCLIENT from loopback, no DNS, no TLS, no
// delays, and a log file because the machine may run no syslog.
func writeMainCF(p *postfixInstance, host, sinkAddr, milterAddr, nonSMTPDMilters string) error {
	if milterAddr != "" {
		milterAddr = "inet:" + milterAddr
	}
	settings := [][2]string{
		{"compatibility_level", "3.6"},
		{"queue_directory", filepath.Join(p.Root, "queue")},
		{"data_directory", filepath.Join(p.Root, "data")},
		{"maillog_file", p.Maillog},
		{"maillog_file_prefixes", "/var, /dev/stdout, " + p.Root},
		{"myhostname", host},
		{"mydomain", "e2e.test"},
		{"myorigin", "e2e.test"},
		{"mydestination", ""},
		{"local_recipient_maps", ""},
		{"alias_maps", ""},
		{"alias_database", ""},
		{"inet_interfaces", "127.0.0.1"},
		{"inet_protocols", "ipv4"},
		{"mynetworks", "127.0.0.0/8"},
		{"relay_domains", "test, example.com, example.net, example.org"},
		{"relayhost", "[" + hostOf(sinkAddr) + "]:" + portOf(sinkAddr)},
		{"smtp_dns_support_level", "disabled"},
		{"smtpd_peername_lookup", "no"},
		{"smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination"},
		{"smtpd_recipient_restrictions", "permit_mynetworks, reject_unauth_destination"},
		{"smtpd_authorized_xclient_hosts", "127.0.0.0/8"},
		{"smtpd_milters", milterAddr},
		{"non_smtpd_milters", nonSMTPDMilters},
		{"milter_protocol", "6"},
		{"milter_default_action", "tempfail"},
		{"message_size_limit", "52428800"},
		{"mailbox_size_limit", "0"},
		{"smtputf8_enable", "yes"},
		{"disable_mime_output_conversion", "yes"},
		{"local_header_rewrite_clients", ""},
		{"smtpd_tls_security_level", "none"},
		{"smtp_tls_security_level", "none"},
		{"smtpd_error_sleep_time", "0"},
		{"in_flow_delay", "0"},
		{"biff", "no"},
		{"readme_directory", "no"},
	}
	var b strings.Builder
	b.WriteString("# private instance for milter91 end-to-end tests\n")
	for _, kv := range settings {
		fmt.Fprintf(&b, "%s = %s\n", kv[0], kv[1])
	}
	return os.WriteFile(filepath.Join(p.ConfigDir, "main.cf"), []byte(b.String()), 0o644)
}

// writeMasterCF copies Debian's master.cf with every service unchrooted
// (the private queue has no chroot set-up), the smtp inet service replaced
// by one loopback smtpd per listener, and postlogd for maillog_file.
func writeMasterCF(configDir string, listeners []smtpdListener) error {
	in, err := os.ReadFile(defaultMaster)
	if err != nil {
		return err
	}
	var b strings.Builder
	hasPostlog := false
	sc := bufio.NewScanner(strings.NewReader(string(in)))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case len(f) < 8 || strings.HasPrefix(line, "#") || line[0] == ' ' || line[0] == '\t':
			b.WriteString(line + "\n")
		case f[0] == "smtp" && f[1] == "inet":
			for i, l := range listeners {
				fmt.Fprintf(&b, "%d inet n - n - - smtpd\n", l.Port)
				if i > 0 {
					fmt.Fprintf(&b, "  -o smtpd_milters=inet:%s\n", l.MilterAddr)
				}
				if l.DaemonName != "" {
					fmt.Fprintf(&b, "  -o milter_macro_daemon_name=%s\n", l.DaemonName)
				}
				for _, o := range l.Options {
					fmt.Fprintf(&b, "  -o %s\n", o)
				}
			}
		default:
			hasPostlog = hasPostlog || f[0] == "postlog"
			f[4] = "n"
			b.WriteString(strings.Join(f, " ") + "\n")
		}
	}
	if !hasPostlog {
		b.WriteString("postlog unix-dgram n - n - 1 postlogd\n")
	}
	return os.WriteFile(filepath.Join(configDir, "master.cf"), []byte(b.String()), 0o644)
}

// run runs `postfix -c ConfigDir CMD`. Without a terminal Postfix prints
// its errors only to the log, so a failure includes the log's tail.
func (p *postfixInstance) run(ctx context.Context, cmd string) error {
	ctx, cancel := context.WithTimeout(ctx, postfixTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, postfixBin, "-c", p.ConfigDir, cmd).CombinedOutput()
	if err != nil {
		return fmt.Errorf("postfix -c %s %s: %w\n%s\nmaillog:\n%s", p.ConfigDir, cmd, err, out, tailFile(p.Maillog, 4096))
	}
	return nil
}

// set changes main.cf settings ("name = value") and reloads the instance.
func (p *postfixInstance) set(ctx context.Context, settings ...string) error {
	for _, kv := range settings {
		if out, err := exec.CommandContext(ctx, postconfBin, "-c", p.ConfigDir, "-e", kv).CombinedOutput(); err != nil {
			return fmt.Errorf("postconf -c %s -e %q: %w: %s", p.ConfigDir, kv, err, out)
		}
	}
	return p.run(ctx, "reload")
}

// stop stops the instance and removes it from alternate_config_directories.
func (p *postfixInstance) stop() error {
	err := p.run(context.Background(), "stop")
	return errors.Join(err, editAlternateDirs(p.ConfigDir, false))
}

// editAlternateDirs adds dir to (or removes it from) the default
// instance's alternate_config_directories, which `postfix -c` requires.
// Entries whose directory is gone (a crashed earlier run) are dropped.
// An exclusive flock serializes concurrent test runs on one machine.
func editAlternateDirs(dir string, add bool) error {
	if err := ensureDefaultMainCF(); err != nil {
		return err
	}
	lock, err := os.OpenFile(alternateLock, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", alternateLock, err)
	}
	out, err := exec.Command(postconfBin, "-h", "alternate_config_directories").Output()
	if err != nil {
		return fmt.Errorf("postconf: %w", err)
	}
	var keep []string
	for _, d := range strings.FieldsFunc(string(out), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		if _, err := os.Stat(d); d != dir && err == nil {
			keep = append(keep, d)
		}
	}
	if add {
		keep = append(keep, dir)
	}
	if err := exec.Command(postconfBin, "-e", "alternate_config_directories = "+strings.Join(keep, ", ")).Run(); err != nil {
		return fmt.Errorf("postconf -e alternate_config_directories: %w", err)
	}
	return nil
}

// ensureDefaultMainCF creates a minimal default main.cf when the package
// left none (postconf -e needs one to edit).
func ensureDefaultMainCF() error {
	if _, err := os.Stat(defaultMainCF); err == nil {
		return nil
	}
	return os.WriteFile(defaultMainCF, []byte("compatibility_level = 3.6\n"), 0o644)
}

// waitPort waits until addr accepts TCP connections.
func waitPort(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, postfixTimeout)
	defer cancel()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s never accepted: %w", addr, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tailFile returns up to max bytes from the end of path, or a note why not.
func tailFile(path string, max int64) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if int64(len(data)) > max {
		data = data[int64(len(data))-max:]
	}
	return string(data)
}

func hostOf(addr string) string {
	h, _, _ := net.SplitHostPort(addr)
	return h
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
