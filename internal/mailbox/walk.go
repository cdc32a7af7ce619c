package mailbox

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultMaxMessage is a size limit for Walk: larger than what MTAs accept
// by default (Postfix's message_size_limit is 10 MB).
const DefaultMaxMessage = 64 << 20

// Walk calls fn with every message at path, in order:
//   - "-": stdin, an mbox when it starts with "From ", else one message;
//   - a directory with cur/ or new/: a maildir, the files of new/ then
//     cur/, each by name;
//   - another directory: each regular file in it by name (names starting
//     with "." skipped, subdirectories not entered), read as a file;
//   - a file: an mbox when it starts with "From ", else one message.
//
// A message longer than max bytes, or a file of the directory that cannot
// be read, is passed to fn with Err set, and the walk goes on. Walk
// returns fn's error, or the error of reading path itself.
func Walk(path string, stdin io.Reader, max int, fn func(Message) error) error {
	if path == "-" {
		return readFile(stdin, "-", max, fn)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	if !info.IsDir() {
		return walkFile(path, max, fn, false)
	}
	dirs := []string{path}
	if isMaildir(path) {
		dirs = []string{filepath.Join(path, "new"), filepath.Join(path, "cur")}
	}
	for _, dir := range dirs {
		if err := walkDir(dir, max, fn); err != nil {
			return err
		}
	}
	return nil
}

func isMaildir(path string) bool {
	for _, sub := range []string{"cur", "new"} {
		if info, err := os.Stat(filepath.Join(path, sub)); err == nil && info.IsDir() {
			return true
		}
	}
	return false
}

// walkDir reads each regular file of dir, by name; a missing dir (a
// maildir without new/) holds nothing.
func walkDir(dir string, max int, fn func(Message) error) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			continue
		}
		if err := walkFile(filepath.Join(dir, e.Name()), max, fn, true); err != nil {
			return err
		}
	}
	return nil
}

// walkFile reads one file; when inDir, failing to open it is the
// message's error, not the walk's.
func walkFile(path string, max int, fn func(Message) error, inDir bool) error {
	f, err := os.Open(path)
	if err != nil {
		if inDir {
			return fn(Message{Source: path, Err: err})
		}
		return fmt.Errorf("mailbox: %w", err)
	}
	defer f.Close()
	return readFile(f, path, max, fn)
}

// readFile reads r as an mbox when it starts with "From ", else as one
// message.
func readFile(r io.Reader, source string, max int, fn func(Message) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(len(fromLine))
	if err == nil && bytes.Equal(head, fromLine) {
		return ReadMbox(br, source, max, fn)
	}
	data, err := io.ReadAll(io.LimitReader(br, int64(max)+1))
	if err != nil {
		return fn(Message{Source: source, Err: err})
	}
	if len(data) > max {
		return fn(Message{Source: source, Err: fmt.Errorf("%w (over %d bytes)", ErrTooLarge, max)})
	}
	return fn(Message{Source: source, Data: data})
}
