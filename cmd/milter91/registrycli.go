package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"milter91/internal/dsn"
	"milter91/internal/registry"
)

// defaultRegistryPath is the registry file when neither --db nor the
// config's decree91.registry names one.
const defaultRegistryPath = "/var/lib/milter91/registry.db"

// cliEnv is what the consent and refusal subcommands read and write; now
// is injected so that tests control the clock.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
}

// registryFlags are the flags every consent/refusal subcommand takes.
type registryFlags struct {
	db, configPath string
}

func newRegistryFlagSet(name string, env cliEnv, f *registryFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.StringVar(&f.db, "db", "", "registry file or postgres:// URL (default: decree91.registry of the config, else "+defaultRegistryPath+")")
	fs.StringVar(&f.configPath, "config", "", "daemon config file whose decree91.registry is the default --db")
	return fs
}

// path is --db, else the config's decree91.registry, else
// defaultRegistryPath.
func (f *registryFlags) path() (string, error) {
	if f.db != "" {
		return f.db, nil
	}
	cfg, err := (&common{configPath: f.configPath}).loadConfig()
	if err != nil {
		return "", err
	}
	if cfg.Decree.Registry != "" {
		return cfg.Decree.Registry, nil
	}
	return defaultRegistryPath, nil
}

// open opens the registry; with create false a missing file is an error
// rather than a new empty registry (a typo in --db must not look like an
// empty list).
func (f *registryFlags) open(ctx context.Context, create bool) (*registry.Store, error) {
	path, err := f.target(create)
	if err != nil {
		return nil, err
	}
	return registry.Open(ctx, path)
}

// target is path, checked to exist unless create is set or it is a
// PostgreSQL DSN.
func (f *registryFlags) target(create bool) (string, error) {
	path, err := f.path()
	if err != nil {
		return "", err
	}
	if !create && !dsn.Is(path) {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("registry %s: %w", path, err)
		}
	}
	return path, nil
}

// parseTimeFlag reads an RFC 3339 --time value; "" means now.
func parseTimeFlag(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--time %q: want RFC 3339, e.g. 2026-01-02T15:04:05+07:00", s)
	}
	if t.After(now) {
		return time.Time{}, fmt.Errorf("--time %s is in the future", s)
	}
	return t, nil
}

// failRegistry prints err for the command name and returns the exit code:
// 2 for input the registry refuses (registry.ErrInvalid), else 1. An
// import error prints one "line N: reason" per line.
func failRegistry(env cliEnv, name string, err error) int {
	code := 1
	if errors.Is(err, registry.ErrInvalid) {
		code = 2
	}
	var ie *registry.ImportError
	if errors.As(err, &ie) {
		fmt.Fprintln(env.stderr, ie)
		fmt.Fprintf(env.stderr, "milter91 %s: %s\n", name, registry.ImportSummary(ie))
		return code
	}
	fmt.Fprintf(env.stderr, "milter91 %s: %v\n", name, err)
	return code
}

// runImport implements "consent import" and "refusal import": one FILE
// argument, - for stdin; all lines or none are applied.
func runImport(ctx context.Context, name string, args []string, env cliEnv,
	imp func(*registry.Store, io.Reader, time.Time) (int, error)) int {
	var f registryFlags
	fs := newRegistryFlagSet(name, env, &f)
	if err := parseFlags(fs, args); err != nil || fs.NArg() != 1 {
		fmt.Fprintf(env.stderr, "usage: milter91 %s [--db PATH] [--config FILE] FILE|-\n", name)
		return 2
	}
	in := env.stdin
	if p := fs.Arg(0); p != "-" {
		file, err := os.Open(p)
		if err != nil {
			return failRegistry(env, name, err)
		}
		defer file.Close()
		in = file
	}
	s, err := f.open(ctx, true)
	if err != nil {
		return failRegistry(env, name, err)
	}
	defer s.Close()
	n, err := imp(s, in, env.now())
	if err != nil {
		return failRegistry(env, name, err)
	}
	fmt.Fprintf(env.stdout, "imported %d records\n", n)
	return 0
}

// runExport implements "consent export" and "refusal export": to FILE, or
// stdout when FILE is absent or -.
func runExport(ctx context.Context, name string, args []string, env cliEnv,
	exp func(*registry.Store, io.Writer) error) int {
	var f registryFlags
	fs := newRegistryFlagSet(name, env, &f)
	if err := parseFlags(fs, args); err != nil || fs.NArg() > 1 {
		fmt.Fprintf(env.stderr, "usage: milter91 %s [--db PATH] [--config FILE] [FILE|-]\n", name)
		return 2
	}
	s, err := f.open(ctx, false)
	if err != nil {
		return failRegistry(env, name, err)
	}
	defer s.Close()
	if p := fs.Arg(0); p != "" && p != "-" {
		err = exportFile(p, func(w io.Writer) error { return exp(s, w) })
	} else {
		err = exp(s, env.stdout)
	}
	if err != nil {
		return failRegistry(env, name, err)
	}
	return 0
}

// exportFile writes path through write; a failed export removes the
// partial file.
func exportFile(path string, write func(io.Writer) error) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(file)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// tableBlock is how many rows a streamed table aligns at a time: a listing
// of the whole registry is printed in bounded memory.
const tableBlock = 1000

// streamTable prints head and the rows rows yields through a tabwriter
// (two spaces between columns), flushed every tableBlock rows, and
// returns the first error of rows or of w.
func streamTable(w io.Writer, head string, rows func(row func(...string)) error) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, head)
	n := 0
	err := rows(func(cells ...string) {
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
		if n++; n%tableBlock == 0 {
			tw.Flush()
		}
	})
	if ferr := tw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// tableTime formats t for a listing: UTC, seconds; "-" for none.
func tableTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// oneLine keeps a free-text field on its table row.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
