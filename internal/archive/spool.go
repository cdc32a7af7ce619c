package archive

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrSpoolFull is Spool.Put's error when the record would take the spool
// past its byte bound.
var ErrSpoolFull = errors.New("archive: spool full")

// segmentBytes seals a segment at this size even before it holds
// perSegment records, so that one replay reads at most about this much.
const segmentBytes = 4 << 20

// Spool keeps the records the Writer's queue cannot take (the store
// fails or lags) in a directory of segment files, "<sequence>.seg", each a
// run of frames (spoolcodec.go) of at most perSegment records: bounded in
// bytes, handed back oldest segment first, kept across restarts. Writes
// are not fsync'ed one by one (a segment is when it is sealed): a daemon
// that exits keeps every record, a machine that loses power may lose the
// last ones. Safe for concurrent use.
type Spool struct {
	dir        string
	max        int64
	perSegment int

	mu      sync.Mutex
	sealed  []spoolSeg // oldest first; the one being written is cur
	cur     *os.File
	curInfo os.FileInfo // cur's identity, for curIntact
	curSeg  spoolSeg
	bytes   int64 // of every segment, cur included
	records int64
	next    uint64 // sequence of the next segment
	buf     []byte
	done    bool // closed
}

// spoolSeg is one segment file: its sequence, records and size.
type spoolSeg struct {
	seq   uint64
	n     int
	bytes int64
}

// OpenSpool opens the spool in dir (created with mode 0700 when missing)
// holding at most maxBytes, perSegment records a segment (the Writer's
// Batch: one segment is one replayed batch). The segments left there by
// an earlier run are counted, each up to its first damaged frame; their
// bytes count against maxBytes until replayed. Errors: dir cannot be
// created or read, maxBytes or perSegment below 1.
func OpenSpool(dir string, maxBytes int64, perSegment int) (*Spool, error) {
	if maxBytes < 1 || perSegment < 1 {
		return nil, fmt.Errorf("archive: spool %s: want a byte bound and records per segment above 0", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("archive: spool: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: spool: %w", err)
	}
	s := &Spool{dir: dir, max: maxBytes, perSegment: perSegment, next: 1}
	for _, e := range entries {
		seq, ok := segmentSeq(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("archive: spool: %w", err)
		}
		recs, _ := decodeSegment(data)
		s.sealed = append(s.sealed, spoolSeg{seq: seq, n: len(recs), bytes: int64(len(data))})
		s.bytes += int64(len(data))
		s.records += int64(len(recs))
		s.next = max(s.next, seq+1)
	}
	slices.SortFunc(s.sealed, func(a, b spoolSeg) int { return cmp.Compare(a.seq, b.seq) })
	return s, nil
}

// segmentSeq parses a segment file name.
func segmentSeq(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, ".seg")
	if !ok || len(digits) != 20 {
		return 0, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	return seq, err == nil
}

func (s *Spool) path(seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%020d.seg", seq))
}

// Put appends r to the segment being written. Errors: ErrSpoolFull, the
// spool is closed, the file system's (the record is then not spooled).
func (s *Spool) Put(r Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return errors.New("archive: spool closed")
	}
	buf, err := appendFrame(s.buf[:0], r)
	if err != nil {
		return err
	}
	s.buf = buf[:0]
	if s.bytes+int64(len(buf)) > s.max {
		return ErrSpoolFull
	}
	if s.cur != nil && !s.curIntact() {
		// Its file was removed (or the directory): what it holds is lost
		// (Oldest counts it), and a write to it would be too.
		s.sealLocked()
	}
	if s.cur == nil {
		f, err := os.OpenFile(s.path(s.next), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("archive: spool: %w", err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return fmt.Errorf("archive: spool: %w", err)
		}
		s.cur, s.curInfo, s.curSeg = f, fi, spoolSeg{seq: s.next}
		s.next++
	}
	n, err := s.cur.Write(buf)
	s.curSeg.bytes += int64(n)
	s.bytes += int64(n)
	if err != nil {
		// A partial frame ends the segment: what came before stays readable.
		s.sealLocked()
		return fmt.Errorf("archive: spool: %w", err)
	}
	s.curSeg.n++
	s.records++
	if s.curSeg.n >= s.perSegment || s.curSeg.bytes >= segmentBytes {
		s.sealLocked()
	}
	return nil
}

// curIntact reports whether the path of the segment being written still
// names its file (one stat, as sqldb.DB.CheckFile).
func (s *Spool) curIntact() bool {
	fi, err := os.Stat(s.path(s.curSeg.seq))
	return err == nil && os.SameFile(fi, s.curInfo)
}

// sealLocked closes the segment being written (fsync'ed) and queues it
// for replay.
func (s *Spool) sealLocked() {
	if s.cur == nil {
		return
	}
	s.cur.Sync()
	s.cur.Close()
	s.cur = nil
	s.sealed = append(s.sealed, s.curSeg)
}

// Len returns the records spooled and not yet Done.
func (s *Spool) Len() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records
}

// Bytes returns the size of the segments not yet Done.
func (s *Spool) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// Empty reports whether no segment waits: then the Writer's queue takes
// new records again.
func (s *Spool) Empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sealed) == 0 && s.cur == nil
}

// segment is what Oldest read: the oldest segment's sequence (0 when the
// spool is empty) and records, and what of it could not be read: the bytes
// after its first damaged frame (a write cut short) and the records lost
// with them (all of them when its file is gone).
type segment struct {
	seq         uint64
	recs        []Record
	lostBytes   int64
	lostRecords int
}

// Oldest reads the oldest segment, sealing the one being written when no
// other waits. The same segment comes back until it is Done. Errors: the
// file system's, except a segment file gone, which reads as all lost.
func (s *Spool) Oldest() (segment, error) {
	s.mu.Lock()
	if len(s.sealed) == 0 {
		s.sealLocked()
	}
	if len(s.sealed) == 0 {
		s.mu.Unlock()
		return segment{}, nil
	}
	seg := s.sealed[0]
	s.mu.Unlock()
	// A sealed segment is never written again: read it unlocked.
	data, err := os.ReadFile(s.path(seg.seq))
	if errors.Is(err, os.ErrNotExist) {
		return segment{seq: seg.seq, lostBytes: seg.bytes, lostRecords: seg.n}, nil
	}
	if err != nil {
		return segment{}, fmt.Errorf("archive: spool: %w", err)
	}
	recs, used := decodeSegment(data)
	return segment{seq: seg.seq, recs: recs, lostBytes: int64(len(data) - used), lostRecords: max(seg.n-len(recs), 0)}, nil
}

// Done removes segment seq, the oldest, once its records are stored.
// Errors: seq is not the oldest segment; the file system's.
func (s *Spool) Done(seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sealed) == 0 || s.sealed[0].seq != seq {
		return fmt.Errorf("archive: spool: segment %d is not the oldest", seq)
	}
	if err := os.Remove(s.path(seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("archive: spool: %w", err)
	}
	seg := s.sealed[0]
	s.sealed = s.sealed[1:]
	s.bytes -= seg.bytes
	s.records -= int64(seg.n)
	return nil
}

// Close seals the segment being written; Put fails afterwards. The
// segments stay for the next OpenSpool.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sealLocked()
	s.done = true
	return nil
}

// decodeSegment returns the records of a segment's data up to its first
// damaged frame and the bytes they took.
func decodeSegment(data []byte) ([]Record, int) {
	var out []Record
	off := 0
	for off < len(data) {
		r, n, err := nextFrame(data[off:])
		if err != nil {
			break
		}
		out = append(out, r)
		off += n
	}
	return out, off
}
