package fileerr

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Recover turns a panic of the function that defers it into *err: a List
// of one Error at 1:1 of file saying that parser (e.g. "YAML parser")
// failed, with the panic value and the function that panicked, marked
// Internal. Loaders of hand-edited or downloaded files defer it
// (`defer fileerr.Recover(path, "YAML parser", &err)`) around code that
// parses them, third-party code included: a bug there must refuse the
// file, as a reload keeps the running config on an error, and never end
// the daemon.
func Recover(file, parser string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	*err = List{panicked(file, parser, r, panicSite())}
}

// panicked is the Error Recover gives for the panic value r of parser at
// site (a function name and file:line, "" when unknown).
func panicked(file, parser string, r any, site string) Error {
	msg := fmt.Sprintf("%s failed: %s", parser, oneLine(fmt.Sprint(r)))
	if site != "" {
		msg += " (at " + site + ")"
	}
	return Error{File: file, Line: 1, Col: 1, Msg: msg + "; this is a bug, please report it", Internal: true}
}

// oneLine keeps an error text on one line, as Error promises.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// panicSite names the function that panicked: the first frame below the
// runtime's panic machinery, as "pkg.Func file.go:line".
func panicSite() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	inRuntime := false
	for {
		f, more := frames.Next()
		switch {
		case strings.HasPrefix(f.Function, "runtime."):
			inRuntime = true
		case inRuntime:
			return fmt.Sprintf("%s %s:%d", f.Function[strings.LastIndexByte(f.Function, '/')+1:], filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}
