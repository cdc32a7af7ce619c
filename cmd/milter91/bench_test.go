package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/internal/loadgen"
)

// TestBenchCorpusAndRun generates a corpus with the CLI and plays it to an
// accept-everything milter, reading the JSON result.
func TestBenchCorpusAndRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "corpus")
	var out, errb bytes.Buffer
	if code := bench(context.Background(), []string{"corpus", "--out", dir, "--messages", "30", "--seed", "5"}, &out, &errb); code != 0 {
		t.Fatalf("corpus: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "wrote 30 messages") {
		t.Fatalf("corpus output %q", out.String())
	}
	for _, name := range []string{loadgen.ManifestFile, loadgen.ZonesFile, "m00030.eml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := loadgen.NewAcceptServer()
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	out.Reset()
	args := []string{"run", "--milter", "inet:" + ln.Addr().String(), "--corpus", dir,
		"--connections", "3", "--per-conn", "4", "--messages", "30", "--daemon-pid", "0", "--json"}
	if code := bench(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errb.String())
	}
	var res loadgen.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if res.Messages != 30 || res.Actions["accept"] != 30 || res.ErrorCount() != 0 || res.Connections != 3 {
		t.Fatalf("result %+v", res)
	}
}

// TestBenchServersStop starts the DNS server with a context that is
// already done: it starts, says where, and stops cleanly.
func TestBenchServersStop(t *testing.T) {
	dir := t.TempDir()
	if _, err := loadgen.Generate(loadgen.CorpusOptions{Dir: dir, Messages: 1, Seed: 1, Start: corpusStart}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{args: []string{"dns", "--zones", filepath.Join(dir, loadgen.ZonesFile), "--listen", "127.0.0.1:0", "--delay", "5ms"}, want: "on 127.0.0.1:"},
	} {
		var out, errb bytes.Buffer
		if code := bench(ctx, tc.args, &out, &errb); code != 0 || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d, out %q, err %q", tc.args, code, out.String(), errb.String())
		}
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{args: nil, code: 2, want: "usage:"},
		{args: []string{"nope"}, code: 2, want: `unknown command "nope"`},
		{args: []string{"run", "--corpus", "x"}, code: 2, want: "--milter is required"},
		{args: []string{"run", "--milter", "inet:127.0.0.1:1"}, code: 2, want: "--corpus is required"},
		{args: []string{"run", "--milter", "bogus", "--corpus", "x"}, code: 2, want: `milter socket "bogus"`},
		{args: []string{"run", "--milter", "inet:127.0.0.1:1", "--corpus", "/nonexistent"}, code: 1, want: "no such file"},
		{args: []string{"corpus"}, code: 2, want: "--out is required"},
		{args: []string{"corpus", "--out", "x", "extra"}, code: 2, want: `unexpected argument "extra"`},
		{args: []string{"corpus", "--out", "x", "--messages", "0"}, code: 1, want: "at least one message"},
		{args: []string{"dns"}, code: 2, want: "--zones is required"},
		{args: []string{"dns", "--zones", "/nonexistent.json"}, code: 1, want: "no such file"},
		{args: []string{"accept-server"}, code: 2, want: `unknown command "accept-server"`},
	} {
		var out, errb bytes.Buffer
		code := bench(context.Background(), tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "help"}, nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "bench run --milter") {
		t.Errorf("bench help: exit %d, %q", code, out.String())
	}
}
