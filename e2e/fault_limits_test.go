package e2e

import (
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Slots of the limit tests, one daemon each.
const (
	slotFaultHeader = "fault-header" // TestFaultHeaderLimits
	slotFaultFlood  = "fault-flood"  // TestFaultHeaderFlood
	slotFaultFD     = "fault-fd"     // TestFaultFileDescriptorLimit
)

func init() { slotNames = append(slotNames, slotFaultHeader, slotFaultFlood, slotFaultFD) }

// headerLimitReply is the daemon's answer past limits.header_bytes or
// limits.header_fields.
const headerLimitReply = "5.3.4 Message header exceeds fixed limit"

// fillFields returns n header fields "X-Fill-i:" of about size bytes each,
// folded into lines of 78 characters: Postfix keeps each (its
// header_size_limit of 102400 bytes is per field) and hands it to the
// milter as one field.
func fillFields(n, size int) []string {
	line := " " + strings.Repeat("f", 76)
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		fmt.Fprintf(&b, "X-Fill-%d:", i)
		for b.Len() < size {
			if b.Len() > 20 {
				b.WriteString("\r\n")
			}
			b.WriteString(line)
		}
		out[i] = b.String()
	}
	return out
}

// headerMessage is a message from alice@goodDomain with the extra fields
// and body ("" for none at all: the header block ends the message).
func headerMessage(token string, extra []string, body string) outMessage {
	data := mail{Token: token, From: "<alice@" + goodDomain + ">", Subject: "header limits", Extra: extra, Body: "x\r\n"}.build()
	data = append(data[:len(data)-len("x\r\n")], body...)
	return outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}
}

// Past the header limits (defaults: 1 MiB, 1000 fields) the sender gets
// 552 5.3.4 through the real Postfix and nothing is delivered; within them
// a large header arrives checked. Each rejection is one log line naming
// the limit.
func TestFaultHeaderLimits(t *testing.T) {
	e := needEnv(t)
	d, _ := faultDaemon(t, e, slotFaultHeader, e.dns.Addr(), "milter91.log", nil)
	tests := []struct {
		name      string
		extra     []string
		body      string
		wantLimit string // "" for delivered
	}{
		{"1001 short fields", fillFields(1001, 10), "x\r\n", "header_fields"},
		{"1001 short fields, no body", fillFields(1001, 10), "", "header_fields"},
		{"60 fields of 20 KB (1.2 MB)", fillFields(60, 20000), "x\r\n", "header_bytes"},
		{"500 fields, 900 KB: within the limits", fillFields(500, 1800), "x\r\n", ""},
	}
	seen := map[any]bool{} // queue IDs of the rejection lines checked
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := newToken(t)
			tl := &tally{}
			r, err := sendOnce(e.smtpAddr(slotFaultHeader), headerMessage(tok, tc.extra, tc.body))
			tl.add(tok, r, err)
			t.Logf("%v; arrived at the sink: %d", tl, verifyDelivery(t, e, tl))
			if tc.wantLimit == "" {
				if err != nil || r.Code != 250 {
					t.Fatalf("reply %v (err %v), want 250", r, err)
				}
				if ars, _ := ourAR(t, delivered(t, e, tok)); len(ars) != 1 {
					t.Errorf("%d ARs of ours, want 1 (the milter checked the message)", len(ars))
				}
				return
			}
			if err != nil || r.Code != 552 || r.Text != headerLimitReply {
				t.Fatalf("reply %v (err %v), want 552 %s", r, err, headerLimitReply)
			}
			rec, err := d.waitLog(func(rec map[string]any) bool {
				return withField("reply", "552 "+headerLimitReply)(rec) && !seen[rec["queue_id"]]
			}, 10*time.Second)
			seen[rec["queue_id"]] = true
			if err != nil || rec["limit"] != tc.wantLimit || rec["action"] != "reject" {
				t.Errorf("log line %v (%v), want action=reject limit=%s", rec, err, tc.wantLimit)
			}
		})
	}
	if problems := logProblems(d, true); len(problems) > 0 {
		t.Errorf("daemon log problems:\n%s", strings.Join(problems, "\n"))
	}
}

// TestFaultHeaderFlood sends 10 MB of header fields (500 of 20 KB). The
// daemon stores at most limits.header_bytes (1 MiB) of it and answers
// 552 5.3.4; its peak memory is logged (the figure in BENCHMARKS.md) and
// may grow by that plus the garbage of the 20 KB packets, under 16 MiB
// (64 MiB under the race detector). Storing the whole header grew it by
// 177-240 MiB (633 MiB).
func TestFaultHeaderFlood(t *testing.T) {
	e := needEnv(t)
	d, _ := faultDaemon(t, e, slotFaultFlood, e.dns.Addr(), "milter91.log", nil)
	before := daemonMemory(t, d)
	tok := newToken(t)
	m := headerMessage(tok, fillFields(500, 20000), "x\r\n")
	start := time.Now()
	r, err := sendOnce(e.smtpAddr(slotFaultFlood), m)
	t.Logf("%d-byte message: %v (err %v) after %v", len(m.Data), r, err, time.Since(start).Round(time.Millisecond))
	after := checkMemory(t, d, maxDaemonRSS)
	grown := after.HWM - before.RSS
	t.Logf("daemon memory: %.1f MiB before, peak %.1f MiB, grew by %.1f MiB", float64(before.RSS)/(1<<20),
		float64(after.HWM)/(1<<20), float64(grown)/(1<<20))
	if err != nil || r.Code != 552 || r.Text != headerLimitReply {
		t.Fatalf("reply %v (err %v), want 552 %s", r, err, headerLimitReply)
	}
	limit := int64(16 << 20)
	if raceEnabled {
		limit *= 4
	}
	if grown > limit {
		t.Errorf("daemon memory grew by %d MiB for a %d MiB header, want under %d MiB", grown>>20, len(m.Data)>>20, limit>>20)
	}
	if e.sink.has(tok) {
		t.Error("the rejected message reached the sink")
	}
}

// TestFaultFileDescriptorLimit lowers the running daemon's open-file limit
// to a few above what it uses and opens more milter connections than that:
// accept fails with EMFILE. The daemon (which exited 1 on it) must keep
// running, log the accept errors rate-limited, and serve again once
// connections end and descriptors are free.
func TestFaultFileDescriptorLimit(t *testing.T) {
	e := needEnv(t)
	d, _ := faultDaemon(t, e, slotFaultFD, e.dns.Addr(), "milter91.log", nil)
	pid := d.cmd.Process.Pid
	restore := lowerFileLimit(t, pid, openFiles(t, pid)+4)
	var conns []net.Conn
	for range 32 {
		c, err := net.Dial("tcp", d.MilterAddr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	isAcceptError := func(rec map[string]any) bool {
		msg, _ := rec["msg"].(string)
		return strings.HasPrefix(msg, "milter protocol: Accept error") && strings.Contains(msg, "too many open files")
	}
	if _, err := d.waitLog(isAcceptError, 30*time.Second); err != nil {
		t.Fatalf("accept error at the file limit: %v", err)
	}
	if !d.running() {
		t.Fatal("the daemon exited at the file limit")
	}
	for _, c := range conns {
		c.Close()
	}
	restore()
	lines := 0
	for _, rec := range d.logRecords() {
		if isAcceptError(rec) {
			lines++
		}
	}
	t.Logf("accept error log lines: %d", lines)
	if lines > 3 {
		t.Errorf("%d accept error lines, want them rate-limited (one per 10 s)", lines)
	}
	tok := newToken(t)
	tl := &tally{}
	r, err := sendOnce(e.smtpAddr(slotFaultFD), faultMessage(tok, "after the file limit", ""))
	tl.add(tok, r, err)
	verifyDelivery(t, e, tl)
	if err != nil || r.Code != 250 {
		t.Fatalf("after the file limit: %v (err %v), want 250", r, err)
	}
	if ars, _ := ourAR(t, delivered(t, e, tok)); len(ars) != 1 {
		t.Errorf("%d ARs of ours, want 1 (the milter checked the message)", len(ars))
	}
}

// openFiles is the number of file descriptors process pid has open.
func openFiles(t *testing.T, pid int) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// lowerFileLimit sets the soft RLIMIT_NOFILE of process pid to n (the
// hard limit stays) and returns a function that restores the old one; the
// test restores it at the end in any case.
func lowerFileLimit(t *testing.T, pid, n int) (restore func()) {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &old); err != nil {
		t.Fatal(err)
	}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: uint64(n), Max: old.Max}, nil); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	restore = func() {
		once.Do(func() {
			if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &old, nil); err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(restore)
	return restore
}
