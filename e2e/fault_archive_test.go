package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"milter91/internal/pgtest"
)

// Slots of the archive fault tests, one daemon each.
const (
	slotFaultArchive = "fault-archive" // TestFaultArchiveFileDeleted
	slotFaultSpool   = "fault-spool"   // TestFaultArchiveSpool
)

func init() { slotNames = append(slotNames, slotFaultArchive, slotFaultSpool) }

// archiveDaemon starts a daemon on slot with the header archive at store
// (more archive keys, indented, in extra) and the admin API; it returns
// the daemon, its config path, the API's base URL and token.
func archiveDaemon(t *testing.T, e *env, slot, store, extra string) (*daemon, string, string, string) {
	t.Helper()
	return adminDaemon(t, e, slot, fmt.Sprintf("archive:\n  store: %q\n%s", store, extra))
}

// adminDaemon starts a daemon on slot with the YAML blocks yaml and the
// admin API (a fresh token in its directory); it returns the daemon, its
// config path, the API's base URL and the token.
func adminDaemon(t *testing.T, e *env, slot, yaml string) (*daemon, string, string, string) {
	t.Helper()
	dir := filepath.Join(e.root, "d-"+slot)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	token := writeToken(t, filepath.Join(dir, "admin.token"))
	adminAddr := "127.0.0.1:" + strconv.Itoa(freePort())
	yaml += fmt.Sprintf("admin:\n  listen: %q\n  token_file: %q\n", adminAddr, filepath.Join(dir, "admin.token"))
	d, cfg := opsDaemon(t, e, slot, []string{slot}, yaml)
	ctx, cancel := context.WithTimeout(context.Background(), opsPollTimeout)
	defer cancel()
	if err := waitPort(ctx, adminAddr); err != nil {
		t.Fatalf("admin API: %v", err)
	}
	return d, cfg, "http://" + adminAddr, token
}

// sendArchived sends n accepted messages to slot, one session each, and
// returns their tokens; each must get 250.
func sendArchived(t *testing.T, e *env, slot string, n int, tl *tally) []string {
	t.Helper()
	var toks []string
	for range n {
		tok := newToken(t)
		r, err := sendOnce(e.smtpAddr(slot), faultMessage(tok, "archived", ""))
		tl.add(tok, r, err)
		if err != nil || r.Code != 250 {
			t.Fatalf("%s: %v %v, want 250", tok, r, err)
		}
		toks = append(toks, tok)
	}
	return toks
}

// archivedTokens polls `milter91 headers search` (the config's archive)
// until every token's message is archived or opsPollTimeout passes, and
// returns the tokens not found.
func archivedTokens(t *testing.T, e *env, cfg string, toks []string) []string {
	t.Helper()
	since := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	deadline := time.Now().Add(3 * opsPollTimeout)
	for {
		out := milter91CLI(t, e, "headers", "search", "--json", "--config", cfg, "--since", since, "--limit", "10000")
		found := map[string]bool{}
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var r archivedRecord
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("headers search: %v in\n%s", err, out)
			}
			found[strings.TrimSuffix(r.MessageID, "@e2e.test")] = true
		}
		var missing []string
		for _, tok := range toks {
			if !found[tok] {
				missing = append(missing, tok)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			return missing
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// healthStatus returns GET /v1/health's status code and details (any status).
func healthStatus(t *testing.T, base, token string) (int, map[string]string) {
	t.Helper()
	a := adminCall(t, base, token, "GET", "/v1/health", nil)
	var h struct {
		Details map[string]string `json:"details"`
	}
	if err := json.Unmarshal(a.Body, &h); err != nil {
		t.Fatalf("health: %v in %s", err, a.Body)
	}
	return a.Status, h.Details
}

// The archive's SQLite file deleted under the running daemon: the next
// batch is not written to the unlinked file; the daemon creates a new
// archive at the path and the 30 messages sent after the deletion are in
// it; the failure shows in health and in the log.
func TestFaultArchiveFileDeleted(t *testing.T) {
	e := needEnv(t)
	store := filepath.Join(e.root, "d-"+slotFaultArchive, "archive.db")
	d, cfg, base, token := archiveDaemon(t, e, slotFaultArchive, store, "")
	tl := &tally{}
	first := sendArchived(t, e, slotFaultArchive, 1, tl)
	if missing := archivedTokens(t, e, cfg, first); len(missing) != 0 {
		t.Fatalf("before the deletion: %v not archived", missing)
	}
	if err := os.Remove(store); err != nil {
		t.Fatal(err)
	}
	after := sendArchived(t, e, slotFaultArchive, 30, tl)
	if missing := archivedTokens(t, e, cfg, after); len(missing) != 0 {
		t.Errorf("%d of 30 messages sent after the deletion are not in the archive at %s: %v", len(missing), store, missing)
	}
	code, details := healthStatus(t, base, token)
	if code != 200 || !strings.Contains(details["archive"], "dropped 0") || strings.Contains(details["archive"], "failed batches 0") {
		t.Errorf("health %d %q, want ok again, nothing dropped, the failed batch counted", code, details["archive"])
	}
	if log := tailFile(d.LogPath, 1<<20); !strings.Contains(log, "database file changed") {
		t.Error("the daemon log does not say the archive file changed")
	}
	verifyDelivery(t, e, tl)
}

// An archive on PostgreSQL cut away behind a proxy, with archive.queue 2:
// health turns degraded, the messages past the queue go to the spool, and
// once the server is back every message is archived and health is ok.
func TestFaultArchiveSpool(t *testing.T) {
	e := needEnv(t)
	dsn, proxy := pgtest.ProxyDSN(t)
	spool := filepath.Join(e.root, "d-"+slotFaultSpool, "spool")
	_, cfg, base, token := archiveDaemon(t, e, slotFaultSpool, dsn,
		fmt.Sprintf("  queue: 2\n  batch: 1\n  spool_dir: %q\n", spool))
	tl := &tally{}
	first := sendArchived(t, e, slotFaultSpool, 1, tl)
	if missing := archivedTokens(t, e, cfg, first); len(missing) != 0 {
		t.Fatalf("before the outage: %v not archived", missing)
	}
	proxy.Cut()
	during := sendArchived(t, e, slotFaultSpool, 12, tl)
	deadline := time.Now().Add(opsPollTimeout)
	for {
		code, details := healthStatus(t, base, token)
		if code == 503 && strings.Contains(details["archive"], "writes failing") && !strings.Contains(details["archive"], "spooled 0 ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health %d %q, want degraded with records spooled", code, details["archive"])
		}
		time.Sleep(100 * time.Millisecond)
	}
	proxy.Listen()
	if missing := archivedTokens(t, e, cfg, during); len(missing) != 0 {
		t.Errorf("%d of 12 messages sent during the outage are not archived: %v", len(missing), missing)
	}
	code, details := healthStatus(t, base, token)
	if code != 200 || !strings.Contains(details["archive"], "spooled 0 ") || !strings.Contains(details["archive"], "dropped 0") {
		t.Errorf("health %d %q, want ok, spool empty, nothing dropped", code, details["archive"])
	}
	verifyDelivery(t, e, tl)
}
