package stage

import (
	"testing"

	"milter91/internal/txn"
)

func TestDirections(t *testing.T) {
	d := Directions{Default: txn.DirectionInbound, Authenticated: true,
		Listeners: []string{"inet:127.0.0.1:8892"}, DaemonNames: []string{"ORIGINATING"}}
	tests := []struct {
		name string
		t    txn.Transaction
		want string
	}{
		{"default", txn.Transaction{}, txn.DirectionInbound},
		{"authenticated", txn.Transaction{AuthUser: "a"}, txn.DirectionOutbound},
		{"listener", txn.Transaction{Conn: txn.Conn{Listener: "inet:127.0.0.1:8892"}}, txn.DirectionOutbound},
		{"daemon name", txn.Transaction{Conn: txn.Conn{DaemonName: "ORIGINATING"}}, txn.DirectionOutbound},
		{"other listener", txn.Transaction{Conn: txn.Conn{Listener: "inet:127.0.0.1:8891"}}, txn.DirectionInbound},
	}
	for _, tc := range tests {
		if got := d.Of(&tc.t); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	d.Force = txn.DirectionInbound
	if got := d.Of(&txn.Transaction{AuthUser: "a"}); got != txn.DirectionInbound {
		t.Errorf("Force ignored: %s", got)
	}
}
