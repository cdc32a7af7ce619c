package txn

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
)

// Spool keeps a message body in memory up to a threshold and in an
// unlinked-on-Close temporary file beyond it, so memory per message in flight
// stays bounded whatever the message size.
//
// Write is not safe for concurrent use; Reader may be called from several
// goroutines once writing is done, and its readers used until Close.
type Spool struct {
	threshold int64
	dir       string
	mem       *bytes.Buffer // from memPool; nil before the first Write and after Close
	file      *os.File
	size      int64
}

// memPool recycles the in-memory bodies: every message needs one, and
// growing a fresh one made about a seventh of the daemon's allocations in
// the load test. Buffers above maxPooledBody are left to the collector.
var memPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody bounds the buffers memPool keeps (the default
// spool_threshold: bodies larger go to a file anyway).
const maxPooledBody = 256 << 10

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
		if _, err := f.Write(s.memBytes()); err != nil {
			f.Close()
			os.Remove(f.Name())
			return 0, fmt.Errorf("spool: %w", err)
		}
		s.release()
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
		if s.mem == nil {
			s.mem = memPool.Get().(*bytes.Buffer)
		}
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
	return bytes.NewReader(s.memBytes())
}

// memBytes returns the body held in memory (nil when none).
func (s *Spool) memBytes() []byte {
	if s.mem == nil {
		return nil
	}
	return s.mem.Bytes()
}

// release returns the memory buffer to memPool: no reader may use it any
// more (Close's contract; the file takes over in Write).
func (s *Spool) release() {
	if s.mem != nil && s.mem.Cap() <= maxPooledBody {
		s.mem.Reset()
		memPool.Put(s.mem)
	}
	s.mem = nil
}

// Close releases memory (back to a pool: no Reader may be used after
// Close) and removes the temporary file, if any.
func (s *Spool) Close() error {
	s.release()
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
