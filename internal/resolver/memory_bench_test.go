package resolver

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// bigTXTServer answers every TXT question with one record of strs
// character-strings of 255 bytes (near the 64 KiB TCP message limit at
// 250), truncated over UDP so that the client asks again over TCP: what a
// hostile zone can make every lookup of a distinct name cost.
func bigTXTServer(t testing.TB, strs int) string {
	t.Helper()
	txt := make([]string, strs)
	for i := range txt {
		txt[i] = strings.Repeat(string(rune('a'+i%26)), 255)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg).SetReply(req)
		if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
			m.Truncated = true
		} else {
			q := req.Question[0]
			m.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 3600}, Txt: txt}}
		}
		_ = w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return pc.LocalAddr().String()
}

// BenchmarkCacheLargeTXT looks up 20 000 distinct names whose TXT answer
// is about 63 KiB each, with the default cache, and reports the live heap
// after a GC (live-MiB), the peak resident set of the process (VmHWM,
// rss-MiB) and the cache's own accounting of its size (cache-MiB).
func BenchmarkCacheLargeTXT(b *testing.B) {
	addr := bigTXTServer(b, 250)
	const names = 20000
	for b.Loop() {
		c, err := New(Config{Servers: []string{addr}})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		for i := range names {
			txt, err := c.LookupTXT(ctx, fmt.Sprintf("n%d.example.test", i))
			if err != nil || len(txt) != 1 || len(txt[0]) != 250*255 {
				b.Fatalf("lookup %d: %d records, %v", i, len(txt), err)
			}
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-MiB")
		b.ReportMetric(float64(vmHWM(b))/(1<<20), "rss-MiB")
		b.ReportMetric(float64(c.cache.len()), "entries")
		b.ReportMetric(float64(c.cache.size())/(1<<20), "cache-MiB")
		runtime.KeepAlive(c)
	}
}

// vmHWM returns the process's peak resident set in bytes (Linux
// /proc/self/status), 0 when unknown.
func vmHWM(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
