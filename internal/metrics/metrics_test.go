package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"milter91/internal/txn"
	"milter91/milter"
)

func TestCountsAppearOnScrape(t *testing.T) {
	m := New()
	h := m.Hooks()
	m.Answered(txn.Answer{Action: txn.ActionReject, Elapsed: 3 * time.Millisecond, Size: 2048,
		Outcome: &txn.Outcome{Facts: txn.Facts{Decree: txn.Decree{Direction: "inbound"}}}})
	m.Answered(txn.Answer{Action: txn.ActionTempfail, Fault: "panic"})
	m.Answered(txn.Answer{Action: txn.ActionReject, Limit: milter.LimitHeaderFields})
	h.Connections(1)
	h.Connections(1)
	h.Connections(-1)
	h.ConnRefused()
	m.Outcome(&txn.Outcome{
		Verdict: txn.Verdict{Matches: []txn.Match{{ID: "D91_OUT_LABEL", Ref: "Decree 91/2020 Art. 18"}}},
		Facts: txn.Facts{DNSQueries: 3, Decree: txn.Decree{Direction: "outbound", RegistryUnavailable: true, DecreeAnalysis: txn.DecreeAnalysis{Advertising: true, Label: "missing"}},
			Durations:  map[string]time.Duration{"spf": 2 * time.Millisecond},
			DNSBL:      []txn.DNSBL{{Zone: "bl.example.test", Result: "blocked"}},
			Temperrors: []string{"dkim"}},
	})
	m.Reload(false)
	m.Evaluating(1)
	m.StoreError("archive")
	m.Archived("dropped", 2)
	m.WatchResolver(fakeResolverStats{})
	m.WatchStore("registry", func() bool { return false })
	m.WatchStore("archive", func() bool { return true })
	m.WatchArchiveSpool(func() (int64, int64) { return 12, 4096 })
	m.Archived("spooled", 12)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`milter91_messages_total{action="reject",direction="inbound"} 1`,
		`milter91_limit_rejections_total{limit="header_fields"} 1`,
		`milter91_limit_rejections_total{limit="header_bytes"} 0`,
		`milter91_milter_connections 1`,
		`milter91_milter_connections_refused_total 1`,
		`milter91_store_errors_total{store="registry"} 1`,
		`milter91_store_errors_total{store="archive"} 1`,
		`milter91_archive_records_total{result="dropped"} 2`,
		`milter91_archive_records_total{result="spooled"} 12`,
		`milter91_store_up{store="registry"} 0`,
		`milter91_store_up{store="archive"} 1`,
		`milter91_archive_spool_records 12`,
		`milter91_archive_spool_bytes 4096`,
		`milter91_faults_total{kind="panic"} 1`,
		`milter91_messages_total{action="tempfail",direction=""} 1`,
		`milter91_messages_total{action="reject",direction=""} 1`,
		`milter91_rule_matches_total{ref="Decree 91/2020 Art. 18",rule="D91_OUT_LABEL"} 1`,
		`milter91_decree91_ads_total{direction="outbound",label="missing"} 1`,
		`milter91_dns_queries_sum 3`,
		`milter91_check_seconds_count{check="spf"} 1`,
		`milter91_dnsbl_results_total{result="blocked",zone="bl.example.test"} 1`,
		`milter91_temperrors_total{check="dkim"} 1`,
		`milter91_reloads_total{result="failed"} 1`,
		`milter91_messages_evaluating 1`,
		`milter91_dns_network_queries_total 7`,
		`milter91_dns_cache_hits_total 5`,
		`milter91_dns_timeouts_total 3`,
		`milter91_messages_total{action="accept",direction="outbound"} 0`,
		`milter91_reloads_total{result="ok"} 0`,
		`milter91_faults_total{kind="deadline"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}

type fakeResolverStats struct{}

func (fakeResolverStats) Stats() (int64, int64) { return 7, 5 }
func (fakeResolverStats) Timeouts() int64       { return 3 }
