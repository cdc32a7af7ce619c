package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"mime"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"milter91/internal/auth"
	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

func TestGenerateReproducible(t *testing.T) {
	gen := func(seed uint64) string {
		dir := t.TempDir()
		if _, err := Generate(CorpusOptions{Dir: dir, Messages: 25, Seed: seed, Start: testStart}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b, other := gen(3), gen(3), gen(4)
	names, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 27 { // 25 messages, manifest, zones
		t.Fatalf("%d files, want 27", len(names))
	}
	signed := 0
	for _, n := range names {
		x, y := readFile(t, a, n.Name()), readFile(t, b, n.Name())
		if strings.HasSuffix(n.Name(), ".eml") && bytes.HasPrefix(x, []byte("DKIM-Signature:")) {
			signed++
			x, y = maskDKIM(t, x), maskDKIM(t, y)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with seed 3", n.Name())
		}
	}
	if signed == 0 {
		t.Error("no signed message among 25: the DKIM masking went untested")
	}
	// zones.json may match: the DKIM key is fixed and 25 messages may list
	// no client.
	if bytes.Equal(readFile(t, a, ManifestFile), readFile(t, other, ManifestFile)) {
		t.Errorf("%s is the same for seeds 3 and 4", ManifestFile)
	}
	if bytes.Equal(readFile(t, a, "m00001.eml"), readFile(t, other, "m00001.eml")) {
		t.Error("m00001.eml is the same for seeds 3 and 4")
	}
}

func TestGenerateSizes(t *testing.T) {
	dir, man := testCorpus(t)
	if len(man.Messages) != corpusSize {
		t.Fatalf("%d messages, want %d", len(man.Messages), corpusSize)
	}
	var sizes []int
	for _, e := range man.Messages {
		n := len(readFile(t, dir, e.File))
		if n < MinSize || n > MaxSize {
			t.Errorf("%s: %d bytes, outside [%d, %d]", e.File, n, MinSize, MaxSize)
		}
		if n != e.Size {
			t.Errorf("%s: manifest size %d, file %d", e.File, e.Size, n)
		}
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	if med := sizes[len(sizes)/2]; med < 6*1024 || med > 11*1024 {
		t.Errorf("median size %d, want about 8 KiB", med)
	}
	if largest := sizes[len(sizes)-1]; largest < 64*1024 {
		t.Errorf("largest message %d bytes, want attachments above 64 KiB among %d", largest, len(sizes))
	}
}

func TestGenerateMessagesParse(t *testing.T) {
	dir, man := testCorpus(t)
	kinds := map[string]int{}
	dec := new(mime.WordDecoder)
	for _, e := range man.Messages {
		kinds[e.Kind]++
		headers, spool, err := txn.ReadMessage(bytes.NewReader(readFile(t, dir, e.File)), math.MaxInt64, "")
		if err != nil {
			t.Fatalf("%s: %v", e.File, err)
		}
		if spool.Size() == 0 {
			t.Errorf("%s: empty body", e.File)
		}
		spool.Close()
		seen := map[string]string{}
		for _, h := range headers {
			seen[strings.ToLower(h.Name)] = h.Value
		}
		for _, name := range []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type"} {
			if _, ok := seen[name]; !ok {
				t.Errorf("%s: no %s field", e.File, name)
			}
		}
		subject, err := dec.DecodeHeader(strings.TrimSpace(mailmsg.Unfold(seen["subject"])))
		if err != nil {
			t.Errorf("%s: Subject: %v", e.File, err)
		}
		if labelled := strings.HasPrefix(subject, "[QC] "); labelled != (e.Kind == KindAd || e.Kind == KindAdIncomplete) {
			t.Errorf("%s (%s): Subject %q", e.File, e.Kind, subject)
		}
		if _, err := time.Parse(time.RFC1123Z, strings.TrimSpace(seen["date"])); err != nil {
			t.Errorf("%s: Date: %v", e.File, err)
		}
	}
	for _, k := range []string{KindPlain, KindTransactional, KindAd, KindAdUnlabelled, KindAdIncomplete} {
		if kinds[k] == 0 {
			t.Errorf("no message of kind %s in %v", k, kinds)
		}
	}
}

func TestGenerateAdsCarryOptOut(t *testing.T) {
	dir, man := testCorpus(t)
	for _, e := range man.Messages {
		data := string(readFile(t, dir, e.File))
		hasBlock := strings.Contains(data, "Quý khách có quyền từ chối nhận thư quảng cáo")
		if hasBlock != isAd(e.Kind) {
			t.Errorf("%s (%s): opt-out block present = %v", e.File, e.Kind, hasBlock)
		}
		if e.Kind == KindAd && !strings.Contains(data, "| 1900 1234\r\n") {
			t.Errorf("%s: ad without the phone channel", e.File)
		}
	}
}

// TestGenerateManifestNames: loopback clients, reserved names only, and the
// session grouping the runner relies on.
func TestGenerateManifestNames(t *testing.T) {
	_, man := testCorpus(t)
	reserved := func(addr string) bool {
		d := strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
		for _, base := range []string{"example.com", "example.net", "example.org"} {
			if d == base || strings.HasSuffix(d, "."+base) {
				return true
			}
		}
		return strings.HasSuffix(d, ".test")
	}
	var auth, listed int
	for _, e := range man.Messages {
		ip, err := netip.ParseAddr(e.ClientIP)
		if err != nil || !ip.IsLoopback() {
			t.Errorf("%s: client %q not loopback", e.File, e.ClientIP)
		}
		for _, a := range append([]string{e.MailFrom, "x@" + e.Helo}, e.Rcpts...) {
			if !reserved(a) {
				t.Errorf("%s: %q is not a reserved name", e.File, a)
			}
		}
		if e.AuthUser != "" {
			auth++
		}
		if e.Listed {
			listed++
		}
	}
	if auth == 0 || listed == 0 || auth == len(man.Messages) || listed == len(man.Messages) {
		t.Errorf("authenticated %d, listed %d of %d: want a mix", auth, listed, len(man.Messages))
	}
}

// TestGenerateDNS checks every message against the corpus's own records,
// served by ServeDNS and read with milter91's resolver and auth checks: the
// manifest's SPF, DKIM and blocklist expectations hold.
func TestGenerateDNS(t *testing.T) {
	dir, man := testCorpus(t)
	zones, err := ReadZones(filepath.Join(dir, ZonesFile))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ServeDNS(zones, "127.0.0.1:0", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	res, err := resolver.New(resolver.Config{Servers: []string{srv.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seen := map[string]bool{}
	for _, e := range man.Messages {
		seen["spf="+e.SPF], seen["dkim="+e.DKIM] = true, true
		ip := netip.MustParseAddr(e.ClientIP)
		if got := auth.CheckSPF(ctx, res, ip, e.Helo, e.MailFrom); got.Result != e.SPF {
			t.Errorf("%s: SPF %s (%s), manifest %s", e.File, got.Result, got.Detail, e.SPF)
		}
		sigs, err := auth.VerifyDKIM(ctx, res, bytes.NewReader(readFile(t, dir, e.File)), 5)
		if err != nil {
			t.Fatal(err)
		}
		got := "none"
		if len(sigs) > 0 {
			got = sigs[0].Result
		}
		if got != e.DKIM {
			t.Errorf("%s: DKIM %s, manifest %s", e.File, got, e.DKIM)
		}
		a := ip.As4()
		addrs, _ := res.LookupA(ctx, fmt.Sprintf("%d.%d.%d.%d.%s", a[3], a[2], a[1], a[0], zones.Blocklist))
		if listed := len(addrs) > 0; listed != e.Listed {
			t.Errorf("%s: client %s listed = %v, manifest %v", e.File, e.ClientIP, listed, e.Listed)
		}
	}
	for _, want := range []string{"spf=pass", "spf=fail", "spf=softfail", "spf=none", "dkim=pass", "dkim=fail", "dkim=none"} {
		if !seen[want] {
			t.Errorf("no message with %s in the corpus", want)
		}
	}
}

func TestGenerateBadOptions(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts CorpusOptions
	}{
		{name: "no messages", opts: CorpusOptions{Dir: t.TempDir(), Messages: 0}},
		{name: "dir is a file", opts: CorpusOptions{Dir: filepath.Join(file, "sub"), Messages: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Generate(tc.opts); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
