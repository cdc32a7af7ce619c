package main

import (
	"fmt"
	"io"

	"milter91/config"
)

// cmdLint compiles the rules the daemon would load (embedded defaults,
// the config's rule paths) plus any FILE|DIR arguments, and prints every
// error as file:line:col; with --config it also checks that the zones and
// lists the rules name are configured and loads every list file the config
// names, as serve does (a bad line as path:line: reason, a file that cannot
// be opened at its entry in the config). Exit 0 when all load, 1
// otherwise.
func cmdLint(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("rules lint", stderr, &c)
	noDefaults := fs.Bool("no-defaults", false, "do not load the embedded default rules")
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	var cfg *config.Config
	var err error
	if cfg, err = c.loadConfig(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *noDefaults {
		cfg.Rules.Defaults = false
	}
	load := cfg.LoadRules
	if c.configPath == "" {
		load = cfg.CompileRules // no daemon config: zone and list names cannot be checked
	}
	set, err := load(fs.Args()...)
	var listErr error
	if c.configPath != "" {
		listErr = cfg.CheckListFiles()
	}
	if err != nil || listErr != nil {
		for _, e := range []error{err, listErr} {
			if e != nil {
				fmt.Fprintln(stderr, e)
			}
		}
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d rules", len(set.Rules()))
	if len(cfg.Lists) > 0 {
		fmt.Fprintf(stdout, ", %d list files", len(cfg.Lists))
	}
	fmt.Fprintln(stdout)
	return 0
}
