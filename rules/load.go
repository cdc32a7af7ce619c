package rules

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// ReadPaths reads rule sources from files and directories, in argument
// order. A directory contributes its *.yml and *.yaml files (not those of
// subdirectories), sorted by name, so "10-local.yml" comes before
// "20-site.yml". Every unreadable path is reported, as an ErrorList.
func ReadPaths(paths ...string) ([]Source, error) {
	var srcs []Source
	var errs ErrorList
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			errs = append(errs, Error{File: p, Msg: errText(err)})
			continue
		}
		files := []string{p}
		if fi.IsDir() {
			if files, err = ruleFiles(p); err != nil {
				errs = append(errs, Error{File: p, Msg: errText(err)})
				continue
			}
		}
		for _, name := range files {
			data, err := readLimited(name)
			if err != nil {
				errs = append(errs, Error{File: name, Msg: errText(err)})
				continue
			}
			srcs = append(srcs, Source{Name: name, Data: data})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return srcs, nil
}

// LoadFiles reads paths (see ReadPaths) and compiles them (see Compile),
// without the embedded defaults.
func LoadFiles(paths ...string) (*Set, error) {
	srcs, err := ReadPaths(paths...)
	if err != nil {
		return nil, err
	}
	return Compile(srcs)
}

// ruleFiles lists dir's regular *.yml and *.yaml files, sorted.
func ruleFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if (ext == ".yml" || ext == ".yaml") && !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// readLimited reads a regular file, refusing one over maxSourceBytes
// before reading it whole. The check is on the opened file (opened
// without blocking), so a FIFO swapped in after a stat cannot block.
func readLimited(name string) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errNotRegular}
	}
	if fi.Size() > maxSourceBytes {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errTooLarge}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSourceBytes+1))
	if err == nil && len(data) > maxSourceBytes {
		err = &fs.PathError{Op: "read", Path: name, Err: errTooLarge}
	}
	return data, err
}

// errText drops the path from an fs error: Error.File already names it.
func errText(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}
