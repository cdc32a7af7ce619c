package archive

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// fullRecord has every field set, 8-bit bytes and CRLF in the header.
func fullRecord(id string) Record {
	return Record{Time: t0.Add(1500 * time.Microsecond).In(time.FixedZone("ICT", 7*3600)), QueueID: id, Direction: "inbound",
		ClientIP: "127.0.0.2", ClientName: "mx.example.com", HELO: "mx.example.com", MailFrom: "a@example.com",
		Rcpts: []string{"b@example.net", "c@example.net"}, MessageID: id + "@example.com", From: "a@example.com",
		Subject: "[QC] Khuy\xe1\xba\xbfn m\xe3i", Header: "Subject: \xff\xfe raw\r\nFrom: a@example.com", Action: "tag",
		Score: 5.5, Rules: []string{"D91_IN_UNLABELLED"}, Articles: []string{"Art. 18"}, Advertiser: "example.com",
		Reply: "", Size: 1 << 20}
}

func TestSpoolFrameRoundTrip(t *testing.T) {
	for _, r := range []Record{fullRecord("Q1"), {}, {QueueID: "Q2", Score: -0.5, Size: -1}} {
		b, err := appendFrame(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		got, n, err := nextFrame(b)
		if err != nil || n != len(b) {
			t.Fatalf("nextFrame: %v, %d of %d bytes", err, n, len(b))
		}
		if !sameRecord(got, r) {
			t.Errorf("round trip\n got %+v\nwant %+v", got, r)
		}
		for cut := range len(b) {
			if _, _, err := nextFrame(b[:cut]); !errors.Is(err, errBadFrame) {
				t.Fatalf("a frame cut at %d of %d: %v, want errBadFrame", cut, len(b), err)
			}
		}
		b[len(b)-1] ^= 1
		if _, _, err := nextFrame(b); !errors.Is(err, errBadFrame) {
			t.Errorf("a flipped bit: %v, want errBadFrame", err)
		}
	}
}

// sameRecord compares records field by field, nil and empty lists alike,
// times as instants with the same offset.
func sameRecord(a, b Record) bool {
	_, oa := a.Time.Zone()
	_, ob := b.Time.Zone()
	if !a.Time.Equal(b.Time) || oa != ob {
		return false
	}
	a.Time, b.Time = time.Time{}, time.Time{}
	for _, l := range []*[]string{&a.Rcpts, &b.Rcpts, &a.Rules, &b.Rules, &a.Articles, &b.Articles} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	return reflect.DeepEqual(a, b)
}

func TestSpoolSegmentsAndRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	sp, err := OpenSpool(dir, 1<<20, 3)
	if err != nil {
		t.Fatal(err)
	}
	in := recs("s", 7)
	for _, r := range in {
		if err := sp.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	if sp.Len() != 7 || sp.Empty() {
		t.Fatalf("Len %d, Empty %v after 7 Puts", sp.Len(), sp.Empty())
	}
	seg, err := sp.Oldest()
	seq := seg.seq
	if err != nil || seg.lostBytes != 0 || !reflect.DeepEqual(queueIDs(seg.recs), queueIDs(in[:3])) {
		t.Fatalf("Oldest: %v %v lost %d, want s0-s2", err, queueIDs(seg.recs), seg.lostBytes)
	}
	if again, _ := sp.Oldest(); again.seq != seq {
		t.Errorf("Oldest before Done gave segment %d, then %d", seq, again.seq)
	}
	if err := sp.Done(seq); err != nil {
		t.Fatal(err)
	}
	if err := sp.Done(seq); err == nil {
		t.Error("Done twice succeeded")
	}
	sp.Close()
	if err := sp.Put(in[0]); err == nil {
		t.Error("Put after Close succeeded")
	}
	// A restart finds the 4 records left, in order; the partly filled
	// segment is sealed and replayed last.
	sp, err = OpenSpool(dir, 1<<20, 3)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for !sp.Empty() {
		seg, err := sp.Oldest()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, queueIDs(seg.recs)...)
		if err := sp.Done(seg.seq); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(ids, queueIDs(in[3:])) || sp.Len() != 0 || sp.Bytes() != 0 {
		t.Errorf("after restart: %v, Len %d, Bytes %d; want s3-s6, then empty", ids, sp.Len(), sp.Bytes())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.seg")); len(left) != 0 {
		t.Errorf("segment files left: %v", left)
	}
}

func TestSpoolFullAndDamaged(t *testing.T) {
	dir := t.TempDir()
	frame, _ := appendFrame(nil, recs("f", 1)[0])
	sp, err := OpenSpool(dir, int64(2*len(frame)), 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs("f", 3) {
		if err := sp.Put(r); (i < 2) != (err == nil) || i == 2 && !errors.Is(err, ErrSpoolFull) {
			t.Errorf("Put %d: %v", i, err)
		}
	}
	sp.Close()
	// A write cut short: the records before it are kept, the tail counted.
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) != 1 {
		t.Fatalf("segments %v, want one", segs)
	}
	f, err := os.OpenFile(segs[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(frame[:len(frame)-3])
	f.Close()
	sp, err = OpenSpool(dir, 1<<20, 10)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := sp.Oldest()
	if err != nil || len(seg.recs) != 2 || seg.lostBytes != int64(len(frame)-3) || seg.lostRecords != 0 || sp.Len() != 2 {
		t.Errorf("damaged segment: %+v, Len %d, %v; want 2 records, %d bytes lost, 2", seg, sp.Len(), err, len(frame)-3)
	}
}

// FuzzSpoolFrame: any bytes decode without panic to records that encode
// back to the same frames, and any record survives its frame.
func FuzzSpoolFrame(f *testing.F) {
	seed, _ := appendFrame(nil, fullRecord("Q1"))
	f.Add(seed, "Q1", "Subject: \xff\r\n")
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 1}, "", "")
	f.Add(seed[frameHead:], "", "")
	f.Fuzz(func(t *testing.T, data []byte, id, header string) {
		decodePayload(data) // past the CRC: the field decoder alone
		recs, used := decodeSegment(data)
		if used > len(data) {
			t.Fatalf("used %d of %d bytes", used, len(data))
		}
		var again []byte
		for _, r := range recs {
			again, _ = appendFrame(again, r)
		}
		if len(again) != used {
			t.Errorf("%d records re-encode to %d bytes, decoded from %d", len(recs), len(again), used)
		}
		r := Record{Time: t0, QueueID: id, Header: header, Rcpts: []string{id}}
		b, err := appendFrame(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		got, n, err := nextFrame(b)
		if err != nil || n != len(b) || !sameRecord(got, r) {
			t.Errorf("round trip of %q/%q: %+v, %v", id, header, got, err)
		}
	})
}
