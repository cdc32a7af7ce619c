package main

import (
	"errors"
	"fmt"
	"slices"

	"milter91/config"
	"milter91/dnsbl"
	"milter91/internal/regfile"
	"milter91/rules"
)

// Errors about the files the config names (rule paths, list files) are
// placed where the admin wrote the name: a missing file is reported at
// its rules.paths or lists[].path entry in the config file; a bad line
// inside a file keeps that file's own path:line.

// atRulePaths places the errors of rules.ReadPaths about cfg's own
// rules.paths entries (a path that cannot be read) at the entry.
func atRulePaths(cfg *config.Config, err error) error {
	var list rules.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	out := make(rules.ErrorList, len(list))
	for j, e := range list {
		if i := slices.Index(cfg.Rules.Paths, e.File); i >= 0 && e.Line == 0 {
			e = cfg.ErrorAt(fmt.Sprintf("rules.paths[%d]", i), "rules.paths[%d]: %s: %s", i, e.File, e.Msg)
		}
		out[j] = e
	}
	return out
}

// openListFiles reports, at its lists[].path entry, each list file of cfg
// that cannot be opened; nil when all can.
func openListFiles(cfg *config.Config) error {
	var errs config.ErrorList
	for i := range cfg.Lists {
		if err := openListFile(cfg, i); err != nil {
			errs = append(errs, *err)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// openListFile opens and closes list i's file; nil when it opens and is a
// regular file (regfile.Open: a FIFO must not block the start).
func openListFile(cfg *config.Config, i int) *config.Error {
	l := cfg.Lists[i]
	f, _, err := regfile.Open(l.Path)
	if err != nil {
		e := cfg.ErrorAt(fmt.Sprintf("lists[%d].path", i), "lists[%d] %q: %v", i, l.Name, err)
		return &e
	}
	f.Close()
	return nil
}

// checkListFiles loads every list file of cfg once, as serve does at
// start, for rules lint: a file that cannot be opened (openListFile),
// the bad lines of the others ("path:line: reason").
func checkListFiles(cfg *config.Config) error {
	var errs []error
	for i, l := range cfg.Lists {
		if err := openListFile(cfg, i); err != nil {
			errs = append(errs, *err)
		} else if _, err := dnsbl.LoadList(l.Path); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
