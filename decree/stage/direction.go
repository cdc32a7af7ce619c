package stage

import "milter91/internal/txn"

// Directions decide whether a message is inbound (ads reaching local
// users) or outbound (customers' ads leaving), Decree 91/2020.
type Directions struct {
	// Default is txn.DirectionInbound or txn.DirectionOutbound.
	Default string
	// Force overrides everything (milter91 check --direction).
	Force string
	// Authenticated: mail with {auth_authen} set is outbound.
	Authenticated bool
	// Listeners and DaemonNames whose mail is outbound.
	Listeners   []string
	DaemonNames []string
}

// Of returns the direction of t: Force, else outbound when t came through
// an outbound listener, with an outbound {daemon_name}, or authenticated
// (when so configured), else Default.
func (d Directions) Of(t *txn.Transaction) string {
	switch {
	case d.Force != "":
		return d.Force
	case contains(d.Listeners, t.Conn.Listener) && t.Conn.Listener != "",
		contains(d.DaemonNames, t.Conn.DaemonName) && t.Conn.DaemonName != "",
		d.Authenticated && t.AuthUser != "":
		return txn.DirectionOutbound
	case d.Default != "":
		return d.Default
	}
	return txn.DirectionInbound
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
