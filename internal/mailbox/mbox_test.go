package mailbox

import (
	"errors"
	"strings"
	"testing"
)

func collect(t *testing.T, in string, max int) []Message {
	t.Helper()
	var got []Message
	if err := ReadMbox(strings.NewReader(in), "box", max, func(m Message) error {
		got = append(got, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestReadMbox(t *testing.T) {
	in := "From a@example.com Mon Dec  1 10:00:00 2026\n" +
		"Subject: one\n\nbody\nFrom inside a line stays\n>From escaped\n>>From twice\n\n" +
		"From b@example.com Mon Dec  1 10:01:00 2026\n" +
		"Subject: two\n\nsecond\n"
	got := collect(t, in, 1<<20)
	if len(got) != 2 {
		t.Fatalf("%d messages, want 2: %q", len(got), got)
	}
	want1 := "Subject: one\n\nbody\nFrom inside a line stays\nFrom escaped\n>From twice\n"
	if got[0].Source != "box:1" || !strings.HasPrefix(string(got[0].Data), want1) {
		t.Errorf("first: %s %q, want %q", got[0].Source, got[0].Data, want1)
	}
	if got[1].Source != "box:2" || string(got[1].Data) != "Subject: two\n\nsecond\n" {
		t.Errorf("second: %s %q", got[1].Source, got[1].Data)
	}
}

func TestReadMboxTooLarge(t *testing.T) {
	in := "From a Mon Dec  1 10:00:00 2026\nSubject: big\n\n" + strings.Repeat("x", 100) + "\n\n" +
		"From b Mon Dec  1 10:00:00 2026\nSubject: small\n\nok\n"
	got := collect(t, in, 50)
	if len(got) != 2 || !errors.Is(got[0].Err, ErrTooLarge) || got[0].Data != nil || got[1].Err != nil {
		t.Fatalf("got %+v, want the first too large and the second read", got)
	}
}

func FuzzReadMbox(f *testing.F) {
	f.Add("From a\nx\n\nFrom b\n>From c\n")
	f.Add("no from line\n")
	f.Fuzz(func(t *testing.T, in string) {
		total := 0
		err := ReadMbox(strings.NewReader(in), "f", 64, func(m Message) error {
			if len(m.Data) > 64 {
				t.Fatalf("a message of %d bytes past the limit", len(m.Data))
			}
			total += len(m.Data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if total > len(in) {
			t.Fatalf("read %d bytes from %d", total, len(in))
		}
	})
}
