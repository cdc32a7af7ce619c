package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"milter91/internal/redistest"
)

// The counter store (Redis, through a proxy) goes silent under a daemon
// with a limit of 3 a day: the next message passes uncounted within the
// store's call timeout (not the message deadline and the fail mode),
// /v1/health turns degraded with details.counters and
// milter91_store_up{store="counters"} 0 at once. With the store back the
// next message is counted again, without a restart: two more pass, the
// third is over the limit.
func TestRateLimitStoreOutage(t *testing.T) {
	e := needEnv(t)
	target, proxy := redistest.ProxyURL(t)
	adminAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort()))
	metricsAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort()))
	tokenFile := filepath.Join(t.TempDir(), "admin.token")
	token := writeToken(t, tokenFile)
	extra := fmt.Sprintf("counters:\n  store: %q\nrate_limits:\n  - {name: user_day, scope: sasl_user, count: 3, window: 24h}\n"+
		"metrics_listen: %s\nadmin:\n  listen: %q\n  token_file: %q\n", target, metricsAddr, adminAddr, tokenFile)
	d, _ := opsDaemon(t, e, slotRateA, []string{slotRateA}, extra)
	ctx, cancel := context.WithTimeout(context.Background(), opsPollTimeout)
	defer cancel()
	if err := waitPort(ctx, adminAddr); err != nil {
		t.Fatal(err)
	}
	addr, base := e.smtpAddr(slotRateA), "http://"+adminAddr
	send := func(what string, wantCode int) {
		t.Helper()
		tok := newToken(t)
		if r := sendAuthed(t, addr, rateMail(tok)); r.Code != wantCode {
			t.Fatalf("%s: reply %v, want %d", what, r, wantCode)
		}
		if wantCode == 250 {
			delivered(t, e, messageID(tok))
		}
	}
	health := func() (int, string) {
		a := adminCall(t, base, token, "GET", "/v1/health", nil)
		return a.Status, string(a.Body)
	}

	send("before the outage", 250)
	if code, body := health(); code != 200 || !strings.Contains(body, `"counters":"ok"`) {
		t.Errorf("health before the outage: %d %s, want 200 with counters ok", code, body)
	}

	proxy.Hush()
	start := time.Now()
	send("store silent", 250)
	t.Logf("store silent: answered after %v", time.Since(start))
	if code, body := health(); code != 503 || !strings.Contains(body, `"counters":"writes failing since`) {
		t.Errorf("health with the store silent: %d %s, want 503 with counters failing", code, body)
	}
	if m := scrape(t, metricsAddr); !strings.Contains(m, `milter91_store_up{store="counters"} 0`) ||
		!strings.Contains(m, `milter91_rate_limit_messages_total{result="unavailable"} 1`) {
		t.Errorf("metrics with the store silent lack store_up 0 or one unavailable message:\n%s", grepLines(m, "counters", "rate_limit"))
	}

	proxy.Cut()
	proxy.Listen()
	send("store back, 2nd counted", 250)
	send("3rd counted", 250)
	send("4th counted: over the limit", 451)
	if code, body := health(); code != 200 || !strings.Contains(body, `"counters":"ok"`) {
		t.Errorf("health with the store back: %d %s, want 200 with counters ok", code, body)
	}
	if err := d.stop(30 * time.Second); err != nil {
		t.Error(err)
	}
}

// scrape returns the metrics page at addr.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// grepLines returns the lines of text that contain one of words.
func grepLines(text string, words ...string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
