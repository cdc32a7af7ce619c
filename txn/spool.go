package txn

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// Spool keeps a message body in memory up to a threshold and in an
// unlinked-on-Close temporary file beyond it, so memory per message in flight
// stays bounded whatever the message size.
//
// Write is not safe for concurrent use; Reader may be called from several
// goroutines once writing is done.
type Spool struct {
	threshold int64
	dir       string
	mem       bytes.Buffer
	file      *os.File
	size      int64
}

// NewSpool returns an empty spool that moves to a temporary file in dir
// ("" for os.TempDir) once more than threshold bytes were written.
// A threshold <= 0 keeps everything in memory.
func NewSpool(threshold int64, dir string) *Spool {
	return &Spool{threshold: threshold, dir: dir}
}

// Write appends p. It fails only when the temporary file cannot be created or
// written; the caller must then treat the message as an internal fault.
func (s *Spool) Write(p []byte) (int, error) {
	if s.file == nil && s.threshold > 0 && s.size+int64(len(p)) > s.threshold {
		f, err := os.CreateTemp(s.dir, "milter91-body-*")
		if err != nil {
			return 0, fmt.Errorf("spool: %w", err)
		}
		if _, err := f.Write(s.mem.Bytes()); err != nil {
			f.Close()
			os.Remove(f.Name())
			return 0, fmt.Errorf("spool: %w", err)
		}
		s.mem = bytes.Buffer{}
		s.file = f
	}
	var n int
	var err error
	if s.file != nil {
		n, err = s.file.Write(p)
		if err != nil {
			err = fmt.Errorf("spool: %w", err)
		}
	} else {
		n, err = s.mem.Write(p)
	}
	s.size += int64(n)
	return n, err
}

// Size returns the number of bytes written so far.
func (s *Spool) Size() int64 { return s.size }

// OnDisk reports whether the body went over the threshold to a file.
func (s *Spool) OnDisk() bool { return s.file != nil }

// Reader returns a reader over the whole body from its first byte.
func (s *Spool) Reader() io.Reader {
	if s.file != nil {
		return io.NewSectionReader(s.file, 0, s.size)
	}
	return bytes.NewReader(s.mem.Bytes())
}

// Close releases memory and removes the temporary file, if any.
func (s *Spool) Close() error {
	s.mem = bytes.Buffer{}
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	err := s.file.Close()
	if rmErr := os.Remove(name); err == nil {
		err = rmErr
	}
	s.file = nil
	return err
}
