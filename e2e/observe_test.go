package e2e

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Slots of TestObserveMode: slotObserve's smtpd has no {daemon_name}, so
// the global mode: observe applies; slotObserveEnforced shares its milter
// with the {daemon_name} observeEnforcedName, set to enforce.
const (
	slotObserve         = "observe"
	slotObserveEnforced = "observe-enforced"
	observeEnforcedName = "ENFORCED"
)

func init() {
	slotNames = append(slotNames, slotObserve, slotObserveEnforced)
	sharedSlots[slotObserveEnforced] = sharedSlot{slotObserve, observeEnforcedName}
}

// TestObserveMode: with mode: observe a client the DNS blocklist lists,
// and one the national list rejects at RCPT, are delivered through Postfix
// with the would-be verdict in X-Milter91-Would, the summary line says
// would=reject and the metrics count them; the same milter enforces on
// the service whose {daemon_name} is set to enforce.
func TestObserveMode(t *testing.T) {
	e := needEnv(t)
	metricsAddr := "127.0.0.1:" + strconv.Itoa(freePort())
	extra := "mode: observe\nmodes:\n  daemon_names: {" + observeEnforcedName + ": enforce}\nmetrics_listen: " + metricsAddr + "\n"
	d, _ := opsDaemon(t, e, slotObserve, []string{slotObserve}, extra)
	if err := waitPort(t.Context(), metricsAddr); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, ip, wantWould string }{
		{"DNSBL-listed client", blockedIP, "reject 554 5.7.1 Service unavailable; client [" + blockedIP + "] blocked using " + blocklistZone},
		{"client on the national list", earlyIP, "reject 554 5.7.1 Service unavailable; listed in national"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := newToken(t)
			s := openSession(t, e.smtpAddr(slotObserve), "client.example.test", "ADDR="+tc.ip+" NAME=[UNAVAILABLE]")
			data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "observed"}.build()
			if r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}); r.Code != 250 {
				t.Fatalf("reply %v, want 250: observe mode refuses nothing", r)
			}
			m := delivered(t, e, tok)
			would := fieldValues(m, "X-Milter91-Would")
			if len(would) != 1 || !strings.HasPrefix(would[0], tc.wantWould) {
				t.Fatalf("X-Milter91-Would %q, want one starting %q", would, tc.wantWould)
			}
			qid := postfixQueueID(m)
			line, err := d.waitLog(withField("queue_id", qid), 15*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if line["action"] != "accept" || line["would"] != "reject" {
				t.Errorf("summary line %v, want action accept, would reject", line)
			}
		})
	}
	if got, want := scrapeMetric(t, metricsAddr, `milter91_observed_total{would="reject"}`), "2"; got != want {
		t.Errorf("observed rejects %q, want %s", got, want)
	}
	t.Run("daemon name set to enforce", func(t *testing.T) {
		tok := newToken(t)
		s := openSession(t, e.smtpAddr(slotObserveEnforced), "client.example.test", "ADDR="+blockedIP+" NAME=[UNAVAILABLE]")
		data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "enforced"}.build()
		if r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}); r.Code != 554 {
			t.Fatalf("reply %v, want 554 on the enforcing service", r)
		}
	})
}

// scrapeMetric returns the value of the series (name with labels, as
// exposed) from the /metrics endpoint at addr, "" when it is missing.
func scrapeMetric(t *testing.T, addr, series string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}
