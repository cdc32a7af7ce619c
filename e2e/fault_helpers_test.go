package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Slots of the fault tests (fault_*_test.go), one daemon each, so that a
// stopped, slowed or loaded daemon affects no other test.
const (
	slotFaultDNS     = "fault-dns"     // TestFaultSlowDNS
	slotFaultLoad    = "fault-load"    // TestFaultConcurrentSessions
	slotFaultBig     = "fault-big"     // TestFaultLargeMessage
	slotFaultCut     = "fault-cut"     // TestFaultClientDisconnect
	slotFaultRestart = "fault-restart" // TestFaultMilterRestart
)

// init adds the fault slots to the instance's smtpd services: setup reads
// slotNames after package initialization, so this needs no change to
// main_test.go.
func init() {
	slotNames = append(slotNames, slotFaultDNS, slotFaultLoad, slotFaultBig, slotFaultCut, slotFaultRestart)
}

// maxDaemonRSS is the generous bound (bytes) on a daemon's peak memory
// under the fault tests. The race detector multiplies a Go program's
// memory (5-10x, Go's race detector docs; 1,000 sessions: about 45 MiB
// plain, 220 MiB with -race), hence twice the bound under -race.
var maxDaemonRSS int64 = 300 << 20

func init() {
	if raceEnabled {
		maxDaemonRSS *= 2
	}
}

// faultDaemon writes the config of slot (writeDaemonConfig, then the
// top-level overrides, e.g. {"spool_dir", dir}) and starts milter91 with
// the DNS server dnsAddr, logging to logName in the slot's directory. It
// returns the daemon and the config path. The test fails unless the daemon
// is running at the end and exits 0 on SIGTERM; its log is added to the
// output of a failed test.
func faultDaemon(t *testing.T, e *env, slot, dnsAddr, logName string, overrides [][2]string) (*daemon, string) {
	t.Helper()
	dir := filepath.Join(e.root, "d-"+slot)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "milter91.yml")
	if err := writeDaemonConfig(cfg, e.slots[slot].MilterAddr, nil); err != nil {
		t.Fatal(err)
	}
	if err := overrideConfig(cfg, overrides); err != nil {
		t.Fatal(err)
	}
	return startFaultDaemon(t, e, slot, cfg, dnsAddr, filepath.Join(dir, logName)), cfg
}

// startFaultDaemon starts milter91 on slot with the config at cfg; see
// faultDaemon.
func startFaultDaemon(t *testing.T, e *env, slot, cfg, dnsAddr, logPath string) *daemon {
	t.Helper()
	d, err := startDaemon(context.Background(), e.bin, cfg, dnsAddr, e.slots[slot].MilterAddr, logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.running() {
			if err := d.stop(30 * time.Second); err != nil {
				t.Error(err)
			}
		}
		if t.Failed() {
			t.Logf("milter91 (%s, %s) log tail:\n%s", slot, filepath.Base(logPath), tailFile(logPath, 16<<10))
		}
	})
	return d
}

// overrideConfig sets top-level scalar keys of the YAML config at path:
// an existing "key: …" line is replaced, a missing key is appended.
func overrideConfig(path string, overrides [][2]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for _, kv := range overrides {
		line := kv[0] + ": " + strconv.Quote(kv[1])
		found := false
		for i, l := range lines {
			if strings.HasPrefix(l, kv[0]+":") {
				lines[i], found = line, true
			}
		}
		if !found {
			lines = append(lines, line)
		}
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// memory is a process's resident memory from /proc/PID/status, in bytes:
// HWM is the peak (VmHWM), RSS the current size (VmRSS).
type memory struct{ HWM, RSS int64 }

func (m memory) String() string {
	return fmt.Sprintf("peak %.1f MiB, now %.1f MiB", float64(m.HWM)/(1<<20), float64(m.RSS)/(1<<20))
}

// daemonMemory reads the daemon's memory; it fails the test when the
// process is gone.
func daemonMemory(t *testing.T, d *daemon) memory {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("daemon memory: %v", err)
	}
	var m memory
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[2] != "kB" {
			continue
		}
		kib, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "VmHWM:":
			m.HWM = kib << 10
		case "VmRSS:":
			m.RSS = kib << 10
		}
	}
	if m.HWM == 0 || m.RSS == 0 {
		t.Fatalf("daemon memory: no VmHWM/VmRSS in /proc/%d/status", d.cmd.Process.Pid)
	}
	return m
}

// checkMemory fails the test when the daemon's peak exceeds limit bytes and
// logs the measurement (the reliability figures).
func checkMemory(t *testing.T, d *daemon, limit int64) memory {
	t.Helper()
	m := daemonMemory(t, d)
	t.Logf("daemon memory: %v (limit %d MiB)", m, limit>>20)
	if m.HWM > limit {
		t.Errorf("daemon memory %v, want a peak below %d MiB", m, limit>>20)
	}
	return m
}

// logProblems returns the daemon log lines that report a panic, a data
// race or (withErrors) any record at level ERROR.
func logProblems(d *daemon, withErrors bool) []string {
	data, err := os.ReadFile(d.LogPath)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "panic") || strings.Contains(line, "DATA RACE") ||
			(withErrors && strings.Contains(line, `"level":"ERROR"`)) {
			out = append(out, line)
		}
	}
	return out
}
