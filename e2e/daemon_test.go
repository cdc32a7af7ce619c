package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// buildDaemon builds cmd/milter91 into dir and returns the binary's path.
// With -race the daemon is race-instrumented too, so a data race under
// real Postfix traffic fails its exit-code check.
func buildDaemon(ctx context.Context, dir string) (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "milter91")); err != nil {
		return "", fmt.Errorf("cmd/milter91 not found from %s: %w", root, err)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("go toolchain: %w", err)
	}
	bin := filepath.Join(dir, "milter91")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, gobin, append(args, "./cmd/milter91")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/milter91: %w\n%s", err, out)
	}
	return bin, nil
}

// daemon is a running `milter91 serve` subprocess whose stderr (its log)
// goes to LogPath.
type daemon struct {
	MilterAddr string
	LogPath    string
	cmd        *exec.Cmd
	done       chan struct{}
	waitErr    error
}

// startDaemon runs bin serve with the config at cfgPath and the DNS server
// dnsAddr (HOST:PORT), and waits until milterAddr (HOST:PORT, the config's
// listen address) accepts connections.
func startDaemon(ctx context.Context, bin, cfgPath, dnsAddr, milterAddr, logPath string) (*daemon, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", "--config", cfgPath, "--dns", dnsAddr)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Env = append(os.Environ(), "GORACE=halt_on_error=1 exitcode=66")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &daemon{MilterAddr: milterAddr, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		d.waitErr = cmd.Wait()
		close(d.done)
	}()
	ready := make(chan error, 1)
	go func() { ready <- waitPort(ctx, milterAddr) }()
	select {
	case err = <-ready:
	case <-d.done:
		err = fmt.Errorf("milter91 exited at start-up: %v", d.waitErr)
	}
	if err != nil {
		d.kill()
		return nil, fmt.Errorf("%w\nlog:\n%s", err, tailFile(logPath, 4096))
	}
	return d, nil
}

// signal sends sig to the daemon.
func (d *daemon) signal(sig syscall.Signal) error { return d.cmd.Process.Signal(sig) }

// running reports whether the process has not exited.
func (d *daemon) running() bool {
	select {
	case <-d.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits up to timeout; it returns an error unless
// the daemon exited with code 0.
func (d *daemon) stop(timeout time.Duration) error {
	if !d.running() {
		return fmt.Errorf("milter91 had already exited: %v", d.waitErr)
	}
	if err := d.signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-d.done:
	case <-time.After(timeout):
		d.kill()
		return fmt.Errorf("milter91 still running %v after SIGTERM", timeout)
	}
	if d.waitErr != nil {
		return fmt.Errorf("milter91 exit after SIGTERM: %w", d.waitErr)
	}
	return nil
}

// kill ends the process at once and waits for it.
func (d *daemon) kill() {
	if d.running() {
		d.cmd.Process.Kill()
		<-d.done
	}
}

// logRecords parses the daemon's JSON log lines (log.format json), skipping
// lines that are not JSON objects (e.g. a race report).
func (d *daemon) logRecords() []map[string]any {
	data, err := os.ReadFile(d.LogPath)
	if err != nil {
		return nil
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// waitLog waits up to timeout for a log record that match accepts: the
// per-message line is written after the reply, so it may trail it.
func (d *daemon) waitLog(match func(map[string]any) bool, timeout time.Duration) (map[string]any, error) {
	deadline := time.Now().Add(timeout)
	for {
		for _, rec := range d.logRecords() {
			if match(rec) {
				return rec, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, errors.New("no matching log line within " + timeout.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// withField matches log records whose field key has the string value want.
func withField(key, want string) func(map[string]any) bool {
	return func(rec map[string]any) bool {
		v, ok := rec[key].(string)
		return ok && v == want
	}
}
