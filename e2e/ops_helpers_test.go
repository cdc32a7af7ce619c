package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Slots of the operations tests (ops_*_test.go), one daemon each:
// slotOpsArchive has the header archive and the admin API; slotOpsA and
// slotOpsB are two hosts sharing one PostgreSQL registry, each also
// listening on its outbound slot (slotOpsAOut, slotOpsBOut).
const (
	slotOpsArchive = "ops-archive" // TestOpsArchiveAndAdmin
	slotOpsA       = "ops-a"       // TestOpsSharedRegistryOnPostgres, host A inbound
	slotOpsAOut    = "ops-a-out"   // host A outbound
	slotOpsB       = "ops-b"       // host B inbound
	slotOpsBOut    = "ops-b-out"   // host B outbound
)

// init adds the ops slots to the instance's smtpd services, as the fault
// tests do (fault_helpers_test.go).
func init() {
	slotNames = append(slotNames, slotOpsArchive, slotOpsA, slotOpsAOut, slotOpsB, slotOpsBOut)
}

// opsPollTimeout bounds the waits for the archive writer (it flushes
// every second) and for an admin port to open.
const opsPollTimeout = 15 * time.Second

// opsDaemon writes the config of slot (writeDaemonConfig, listening on
// the milter addresses of slots, the first being slot's own, plus the
// YAML block extra) and starts milter91 with the shared DNS server. It
// returns the daemon and the config path; startFaultDaemon's checks apply
// (exit 0 on SIGTERM, log in a failed test's output).
func opsDaemon(t *testing.T, e *env, slot string, slots []string, extra string) (*daemon, string) {
	t.Helper()
	dir := filepath.Join(e.root, "d-"+slot)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "milter91.yml")
	if err := writeDaemonConfig(cfg, e.slots[slot].MilterAddr, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(slots))
	for i, s := range slots {
		quoted[i] = strconv.Quote(milterListen(e, s))
	}
	text := strings.Replace(string(data), "listen: "+milterListen(e, slot)+"\n",
		"listen: ["+strings.Join(quoted, ", ")+"]\n", 1)
	if err := os.WriteFile(cfg, []byte(text+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	return startFaultDaemon(t, e, slot, cfg, e.dns.Addr(), filepath.Join(dir, "milter91.log")), cfg
}

// milterListen is the daemon's listen address for slot's milter.
func milterListen(e *env, slot string) string { return "inet:" + e.slots[slot].MilterAddr }

// writeToken writes a random 40-character bearer token to path, mode
// 0600 (admin.LoadToken refuses group or other access), and returns it.
func writeToken(t *testing.T, path string) string {
	t.Helper()
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	tok := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return tok
}

// adminAnswer is one admin API answer.
type adminAnswer struct {
	Status int
	Header http.Header
	Body   []byte
}

// adminCall sends method path (with query) to the admin API at base
// ("http://HOST:PORT") with bearer token ("" for none) and body (JSON
// encoded when not nil); the test fails on a transport error.
func adminCall(t *testing.T, base, token, method, path string, body any) adminAnswer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return adminAnswer{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// decodeAnswer decodes a JSON answer into v; the test fails unless the
// status is want and the body decodes.
func decodeAnswer(t *testing.T, what string, a adminAnswer, want int, v any) {
	t.Helper()
	if a.Status != want {
		t.Fatalf("%s: status %d, want %d: %s", what, a.Status, want, a.Body)
	}
	if err := json.Unmarshal(a.Body, v); err != nil {
		t.Fatalf("%s: %v in %s", what, err, a.Body)
	}
}

// receivedID matches the queue id in Postfix's Received field
// ("by mx.e2e.test (Postfix) with ESMTP id 4Xy…").
var receivedID = regexp.MustCompile(`\(Postfix\) with E?SMTP id ([0-9A-Za-z]+)`)

// postfixQueueID returns the queue id of the first Received field of m
// (the one Postfix prepended), or "".
func postfixQueueID(m sinkMessage) string {
	vals := fieldValues(m, "Received")
	if len(vals) == 0 {
		return ""
	}
	if sm := receivedID.FindStringSubmatch(vals[0]); sm != nil {
		return sm[1]
	}
	return ""
}
