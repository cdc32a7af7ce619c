package main

import (
	"runtime"
	"runtime/debug"
)

// version and revision are set at build time by the Makefile's build
// target: -ldflags "-X main.version=… -X main.revision=…" (git describe
// and the commit hash). Builds here run with -buildvcs=false, so the Go
// build information holds no revision of its own; go run and go test
// builds keep these defaults.
var (
	version  = "dev"
	revision = ""
)

// versionLine is what `milter91 version` prints and the start-up log
// line carries: "milter91 VERSION (revision REV, GOVERSION)", with the
// revision from -ldflags, else from the build information when the go
// command embedded one, else "unknown".
func versionLine() string {
	return "milter91 " + version + " (revision " + currentRevision() + ", " + runtime.Version() + ")"
}

// currentRevision is buildRevision for this binary.
func currentRevision() string {
	bi, _ := debug.ReadBuildInfo()
	return buildRevision(revision, bi)
}

// buildRevision returns rev when set, else the VCS revision of bi (with
// ", modified" for a dirty tree), else "unknown". bi may be nil.
func buildRevision(rev string, bi *debug.BuildInfo) string {
	if rev != "" {
		return rev
	}
	var modified bool
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	switch {
	case rev == "":
		return "unknown"
	case modified:
		return rev + ", modified"
	}
	return rev
}
