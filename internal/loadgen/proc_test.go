package loadgen

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// statLine is a /proc/PID/stat line with utime and stime as given and a
// command name with spaces and parentheses.
func statLine(utime, stime string) string {
	return "4242 (milter91 (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 " + utime + " " + stime +
		" 0 0 20 0 9 0 123 456789 1234 18446744073709551615\n"
}

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{name: "utime+stime", stat: statLine("250", "50"), want: 3 * time.Second},
		{name: "zero", stat: statLine("0", "0"), want: 0},
		{name: "no name", stat: "4242 milter91 S 1", wantErr: true},
		{name: "short", stat: "4242 (m) S 1 2 3", wantErr: true},
		{name: "not a number", stat: statLine("x", "1"), wantErr: true},
		{name: "negative", stat: statLine("-5", "1"), wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU(tc.stat)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("got %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseStatusMem(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   string
		rss, hwm int64
		wantErr  bool
	}{
		{name: "both", status: "Name:\tm\nVmPeak:\t 9 kB\nVmHWM:\t    2260 kB\nVmRSS:\t    2000 kB\n", rss: 2000 * 1024, hwm: 2260 * 1024},
		{name: "no VmRSS (kernel thread)", status: "Name:\tkthreadd\nThreads:\t1\n", wantErr: true},
		{name: "bad unit", status: "VmHWM:\t1 MB\nVmRSS:\t1 kB\n", wantErr: true},
		{name: "bad number", status: "VmHWM:\tx kB\nVmRSS:\t1 kB\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rss, hwm, err := parseStatusMem(tc.status)
			if (err != nil) != tc.wantErr || rss != tc.rss || hwm != tc.hwm {
				t.Fatalf("got %d %d %v; want %d %d, error %v", rss, hwm, err, tc.rss, tc.hwm, tc.wantErr)
			}
		})
	}
}

// TestSamplerFakeProc drives the sampler over a fake /proc: CPU is the
// delta between start and stop, the peak the highest VmRSS seen.
func TestSamplerFakeProc(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "4242")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("stat", statLine("100", "20"))
	write("status", "VmHWM:\t5000 kB\nVmRSS:\t3000 kB\n")
	s, err := startSampler(root, 4242, time.Hour) // only the explicit samples below
	if err != nil {
		t.Fatal(err)
	}
	write("status", "VmHWM:\t9000 kB\nVmRSS:\t8000 kB\n")
	s.sample()
	write("status", "VmHWM:\t9000 kB\nVmRSS:\t4000 kB\n")
	write("stat", statLine("300", "20"))
	got := s.stop(4)
	want := DaemonStats{PID: 4242, CPUSeconds: 2, CPUPerMessageMs: 500, PeakRSSBytes: 8000 * 1024, HWMBytes: 9000 * 1024, Samples: 3}
	if *got != want {
		t.Fatalf("got %+v, want %+v", *got, want)
	}
	if _, err := startSampler(root, 99999, 0); err == nil {
		t.Fatal("no error for a missing process")
	}
}
