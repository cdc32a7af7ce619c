package loadgen

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"
)

// allProtocolOptions are the SMFIP_* bits a milter may ask for.
var allProtocolOptions = []gomilter.OptProtocol{gomilter.OptNoConnect, gomilter.OptNoHelo,
	gomilter.OptNoMailFrom, gomilter.OptNoRcptTo, gomilter.OptNoBody, gomilter.OptNoHeaders,
	gomilter.OptNoEOH, gomilter.OptNoHeaderReply, gomilter.OptNoUnknown, gomilter.OptNoData,
	gomilter.OptSkip, gomilter.OptRcptRej, gomilter.OptNoConnReply, gomilter.OptNoHeloReply,
	gomilter.OptNoMailReply, gomilter.OptNoRcptReply, gomilter.OptNoDataReply,
	gomilter.OptNoUnknownReply, gomilter.OptNoEOHReply, gomilter.OptNoBodyReply,
	gomilter.OptHeaderLeadingSpace}

// TestCeilingNegotiatesAsMilter91 builds the yardstick of the load test
// (the ceiling module, on upstream go-milter) as BENCHMARKS.md does, starts
// it, checks that it negotiates the protocol options milter91 negotiates
// without early rejects, and plays messages to it.
func TestCeilingNegotiatesAsMilter91(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the ceiling module with the go command")
	}
	bin := filepath.Join(t.TempDir(), "ceiling")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = "ceiling"
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--listen", "inet:127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`upstream go-milter v0\.10\.1\) on (127\.0\.0\.1:\d+) `).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("start line %q", line)
	}
	ceiling, ours := negotiated(t, m[1]), negotiated(t, serve(t, NewAcceptServer()))
	for _, opt := range allProtocolOptions {
		if ceiling[opt] != ours[opt] {
			t.Errorf("protocol option %v: ceiling %v, milter91 %v", opt, ceiling[opt], ours[opt])
		}
	}
	res, err := Run(context.Background(), RunOptions{Network: "tcp", Address: m[1], Corpus: loadTestCorpus(t),
		Connections: 2, PerConn: 5, Messages: 20, Drain: time.Minute, DaemonPID: cmd.Process.Pid})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 20 || res.Actions["accept"] != 20 || res.ErrorCount() != 0 || res.Daemon == nil {
		t.Fatalf("messages %d actions %v errors %v (%s)", res.Messages, res.Actions, res.Errors, res.ErrorSample)
	}
}

// negotiated returns the protocol options a session with the milter at
// addr agreed on.
func negotiated(t *testing.T, addr string) map[gomilter.OptProtocol]bool {
	t.Helper()
	s, err := gomilter.NewClient("tcp", addr).Session(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := map[gomilter.OptProtocol]bool{}
	for _, opt := range allProtocolOptions {
		got[opt] = s.ProtocolOption(opt)
	}
	return got
}
