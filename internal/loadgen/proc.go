package loadgen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procRoot is where Linux mounts procfs (proc(5)).
const procRoot = "/proc"

// userHZ is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which the kernel fixes at 100 ticks per second for user space (proc(5),
// times(2)) whatever its internal HZ.
const userHZ = 100

// DaemonStats is what /proc tells about the milter process during a run.
type DaemonStats struct {
	PID int `json:"pid"`
	// CPUSeconds is the growth of utime+stime over the run (10 ms ticks).
	CPUSeconds float64 `json:"cpu_seconds"`
	// CPUPerMessageMs is CPUSeconds per message that got a decision, in ms.
	CPUPerMessageMs float64 `json:"cpu_per_message_ms"`
	// PeakRSSBytes is the highest VmRSS sampled during the run; HWMBytes
	// is VmHWM at the end (the peak since the process started).
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	HWMBytes     int64 `json:"vm_hwm_bytes"`
	Samples      int   `json:"samples"`
}

// procSampler samples a process's memory until stopped.
type procSampler struct {
	root     string
	pid      int
	cpuStart time.Duration
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	peak     int64
	samples  int
}

// startSampler reads the CPU time of pid now and samples its VmRSS every
// period (100 ms when ≤ 0). It returns an error when /proc/PID cannot be
// read (no such process, or not Linux).
func startSampler(root string, pid int, every time.Duration) (*procSampler, error) {
	cpu, err := readCPU(root, pid)
	if err != nil {
		return nil, err
	}
	if every <= 0 {
		every = 100 * time.Millisecond
	}
	s := &procSampler{root: root, pid: pid, cpuStart: cpu, done: make(chan struct{})}
	s.sample()
	s.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.sample()
			}
		}
	})
	return s, nil
}

// sample records the current VmRSS; a failed read (process gone) is skipped.
func (s *procSampler) sample() {
	rss, _, err := readMem(s.root, s.pid)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak = max(s.peak, rss)
	s.samples++
}

// stop ends sampling and returns the figures for a run of messages.
func (s *procSampler) stop(messages int) *DaemonStats {
	s.sample()
	close(s.done)
	s.wg.Wait()
	st := &DaemonStats{PID: s.pid, PeakRSSBytes: s.peak, Samples: s.samples}
	if cpu, err := readCPU(s.root, s.pid); err == nil {
		st.CPUSeconds = (cpu - s.cpuStart).Seconds()
	}
	if _, hwm, err := readMem(s.root, s.pid); err == nil {
		st.HWMBytes = hwm
	}
	if messages > 0 {
		st.CPUPerMessageMs = st.CPUSeconds * 1000 / float64(messages)
	}
	return st
}

// ProcessCPU returns the CPU time (user plus system, 10 ms ticks) that
// process pid has used so far, from /proc/PID/stat; an error when it
// cannot be read (no such process, or not Linux).
func ProcessCPU(pid int) (time.Duration, error) { return readCPU(procRoot, pid) }

// readCPU returns utime+stime of pid from ROOT/PID/stat.
func readCPU(root string, pid int) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(data))
}

// parseStatCPU returns utime+stime (fields 14 and 15 of proc(5)
// /proc/PID/stat). The command name (field 2) may hold spaces and
// parentheses, so fields are counted after its last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("loadgen: /proc stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state): utime is field 14 → f[11], stime f[12].
	if len(f) < 13 {
		return 0, fmt.Errorf("loadgen: /proc stat: %d fields after the name, want at least 13", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("loadgen: /proc stat: bad CPU time %q", s)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// readMem returns VmRSS and VmHWM of pid in bytes from ROOT/PID/status.
func readMem(root string, pid int) (rss, hwm int64, err error) {
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, 0, err
	}
	return parseStatusMem(string(data))
}

// parseStatusMem returns the VmRSS and VmHWM lines of /proc/PID/status
// ("VmRSS:\t  2260 kB") in bytes; both must be present.
func parseStatusMem(status string) (rss, hwm int64, err error) {
	found := 0
	for line := range strings.SplitSeq(status, "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("loadgen: /proc status: bad line %q", line)
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || v < 0 {
			return 0, 0, fmt.Errorf("loadgen: /proc status: bad line %q", line)
		}
		if name == "VmRSS" {
			rss = v * 1024
		} else {
			hwm = v * 1024
		}
		found++
	}
	if found != 2 {
		return 0, 0, errors.New("loadgen: /proc status: no VmRSS and VmHWM (kernel thread or not Linux?)")
	}
	return rss, hwm, nil
}
