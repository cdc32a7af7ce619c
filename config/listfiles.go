package config

import (
	"errors"
	"fmt"

	"milter91/dnsbl"
	"milter91/internal/regfile"
)

// OpenListFiles reports, at its lists[].path entry in the config file,
// each list file of c that cannot be opened, as serve checks them before
// it starts; nil when all can.
func (c *Config) OpenListFiles() error {
	var errs ErrorList
	for i := range c.Lists {
		if err := c.openListFile(i); err != nil {
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
func (c *Config) openListFile(i int) *Error {
	l := c.Lists[i]
	f, _, err := regfile.Open(l.Path)
	if err != nil {
		e := c.ErrorAt(fmt.Sprintf("lists[%d].path", i), "lists[%d] %q: %v", i, l.Name, err)
		return &e
	}
	f.Close()
	return nil
}

// CheckListFiles loads every list file of c once, as serve does at
// start, for `rules lint --config`: a file that cannot be opened is
// reported at its entry (OpenListFiles), the bad lines of the others as
// "path:line: reason". nil when all load.
func (c *Config) CheckListFiles() error {
	var errs []error
	for i, l := range c.Lists {
		if err := c.openListFile(i); err != nil {
			errs = append(errs, *err)
		} else if _, err := dnsbl.LoadList(l.Path); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
