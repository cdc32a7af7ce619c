// Package regfile opens files that must be regular files (a token, a
// certificate, a list file) without ever blocking on what sits at the
// path instead: opening a FIFO waits for a writer, and a device such as
// /dev/urandom never ends.
package regfile

import (
	"fmt"
	"os"
	"syscall"
)

// Open opens path for reading without blocking and refuses anything but a
// regular file: the error names the path and what it is ("a FIFO", "a
// device", "a socket", "a directory"). The check is on the opened file,
// so a symbolic link swapped meanwhile cannot pass another file. The
// returned file reads as usual (O_NONBLOCK has no effect on regular files).
func Open(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (%s)", path, Kind(fi.Mode()))
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// Kind names the type of a file that is not regular.
func Kind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
}
