// Package archtest checks the import rules that keep milter91's layout
// honest: the milter adapter and the config link no store, checks do not
// know the rules, value packages import nothing of the project. The rules
// are a table (rules.go); TestArchitecture checks them on the real module
// with `go list -deps`, and reports each broken rule with the import chain
// that broke it.
package archtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
)

// Graph is a package dependency graph: each package's direct imports (not
// its tests'), and for the module's own packages the Go files (absolute
// paths) that build it.
type Graph struct {
	Imports map[string][]string
	Files   map[string][]string
}

// listed is the part of `go list -json` Load reads.
type listed struct {
	ImportPath string
	Dir        string
	Imports    []string
	GoFiles    []string
	Error      *struct{ Err string }
}

// Load lists the packages matching patterns and every package they depend
// on, with `go list -deps` run in dir (a directory of the module).
// Errors: the go command fails, or a package does not load.
func Load(ctx context.Context, dir string, patterns ...string) (*Graph, error) {
	args := append([]string{"list", "-e", "-deps", "-json=ImportPath,Dir,Imports,GoFiles,Error"}, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	g := &Graph{Imports: map[string][]string{}, Files: map[string][]string{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return g, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		if p.Error != nil {
			return nil, fmt.Errorf("package %s: %s", p.ImportPath, p.Error.Err)
		}
		g.Imports[p.ImportPath] = p.Imports
		for _, f := range p.GoFiles {
			g.Files[p.ImportPath] = append(g.Files[p.ImportPath], filepath.Join(p.Dir, f))
		}
	}
}

// Match reports whether the import path pkg matches pattern: the path
// itself, or with a "/..." suffix the path and every package below it.
func Match(pattern, pkg string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
	}
	return pkg == pattern
}

func matchAny(patterns []string, pkg string) bool {
	for _, p := range patterns {
		if Match(p, pkg) {
			return true
		}
	}
	return false
}
