package milter

import (
	"bytes"
	"testing"

	"github.com/d--j/go-milter/internal/wire"
)

// TestModifier_headerPackets: the data of the header modification packets,
// byte by byte: the index (change, insert), the name and the value as C
// strings, line endings as LF and NUL as SP in the value.
func TestModifier_headerPackets(t *testing.T) {
	var sent []*wire.Message
	m := &modifier{state: modifierStateReadWrite, actions: OptAddHeader | OptChangeHeader,
		writePacket: func(msg *wire.Message) error { sent = append(sent, msg); return nil }}
	if err := m.AddHeader("X-Test", "a\r\n\tb\x00c"); err != nil {
		t.Fatal(err)
	}
	if err := m.InsertHeader(2, "X-In", " v"); err != nil {
		t.Fatal(err)
	}
	if err := m.ChangeHeader(258, "Subject", ""); err != nil {
		t.Fatal(err)
	}
	want := []*wire.Message{
		{Code: wire.Code(wire.ActAddHeader), Data: []byte("X-Test\x00a\n\tb c\x00")},
		{Code: wire.Code(wire.ActInsertHeader), Data: []byte("\x00\x00\x00\x02X-In\x00 v\x00")},
		{Code: wire.Code(wire.ActChangeHeader), Data: []byte("\x00\x00\x01\x02Subject\x00\x00")},
	}
	if len(sent) != len(want) {
		t.Fatalf("%d packets, want %d", len(sent), len(want))
	}
	for i := range want {
		if sent[i].Code != want[i].Code || !bytes.Equal(sent[i].Data, want[i].Data) {
			t.Errorf("packet %d: %c %q, want %c %q", i, sent[i].Code, sent[i].Data, want[i].Code, want[i].Data)
		}
	}
}
