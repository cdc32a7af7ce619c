package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildRevision(t *testing.T) {
	vcs := func(kv ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{}
		for i := 0; i+1 < len(kv); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return bi
	}
	for _, tc := range []struct {
		rev  string
		bi   *debug.BuildInfo
		want string
	}{
		{rev: "", bi: nil, want: "unknown"},
		{rev: "", bi: vcs("-buildvcs", "false"), want: "unknown"},
		{rev: "", bi: vcs("vcs.revision", "abc123", "vcs.modified", "false"), want: "abc123"},
		{rev: "", bi: vcs("vcs.revision", "abc123", "vcs.modified", "true"), want: "abc123, modified"},
		{rev: "def456", bi: vcs("vcs.revision", "abc123"), want: "def456"},
	} {
		if got := buildRevision(tc.rev, tc.bi); got != tc.want {
			t.Errorf("buildRevision(%q, %v) = %q, want %q", tc.rev, tc.bi, got, tc.want)
		}
	}
}

// The Makefile's -ldflags -X names must be this package's variables (the
// linker ignores unknown names silently): a binary built with them prints
// them; a go test or go run build says "dev (revision unknown)".
func TestVersionLdflags(t *testing.T) {
	if got := runCmd("", "version").stdout; got != "milter91 dev (revision unknown, "+runtime.Version()+")\n" {
		t.Errorf("version of a test build: %q", got)
	}
	bin := filepath.Join(t.TempDir(), "milter91")
	build := exec.Command("go", "build", "-buildvcs=false", "-o", bin,
		"-ldflags", "-X main.version=v1.2.3 -X main.revision=0123456789abcdef", ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if want := "milter91 v1.2.3 (revision 0123456789abcdef, "; err != nil || !strings.HasPrefix(string(out), want) {
		t.Errorf("version: %q, %v; want prefix %q", out, err, want)
	}
}
