package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// authLogEvery is the least time between two log lines about failed
// authentication, so that a scan cannot flood the log.
const authLogEvery = 10 * time.Second

// authenticator checks the bearer token (RFC 6750 §2.1) before anything
// else runs.
type authenticator struct {
	want [sha256.Size]byte // digest of the token: equal lengths for the comparison
	fail *failLog
}

func newAuthenticator(token []byte, log *slog.Logger, now func() time.Time, after func(time.Duration, func())) *authenticator {
	return &authenticator{want: sha256.Sum256(token), fail: &failLog{log: log, now: now, after: after}}
}

// wrap answers 401 with WWW-Authenticate (RFC 6750 §3) unless the
// request carries the token; next then runs.
func (au *authenticator) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reason := au.check(r.Header.Get("Authorization"))
		if reason != "" {
			au.fail.note(r.RemoteAddr, reason)
			w.Header().Set("WWW-Authenticate", `Bearer realm="milter91"`)
			writeError(w, http.StatusUnauthorized, reason)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// check returns why the Authorization value h does not authenticate, ""
// when it does. The scheme is case-insensitive (RFC 9110 §11.1). The
// tokens are compared as SHA-256 digests in constant time, so neither
// their content nor their length shows in the timing.
func (au *authenticator) check(h string) string {
	if h == "" {
		return "missing Authorization header: want Bearer <token>"
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "Authorization scheme " + quoteShort(scheme) + ": want Bearer"
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(got[:], au.want[:]) != 1 {
		return "invalid bearer token"
	}
	return ""
}

// quoteShort quotes s, cut to 20 bytes: it is attacker-chosen text.
func quoteShort(s string) string {
	if len(s) > 20 {
		s = s[:20] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

// failLog logs failed authentication at most once per authLogEvery: the
// first failure at once, the later ones of the window counted and logged
// when it ends.
type failLog struct {
	log   *slog.Logger
	now   func() time.Time
	after func(time.Duration, func()) // time.AfterFunc in production

	mu      sync.Mutex
	last    time.Time // when the last line was written
	count   int       // failures not yet logged
	pending bool      // a flush is scheduled
	remote  string    // of the latest failure
	reason  string
}

// note counts one failure from remote.
func (l *failLog) note(remote, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
	l.remote, l.reason = remote, reason
	if l.pending {
		return
	}
	if wait := l.last.Add(authLogEvery).Sub(l.now()); !l.last.IsZero() && wait > 0 {
		l.pending = true
		l.after(wait, l.flush)
		return
	}
	l.emit()
}

// flush logs the failures counted since the last line.
func (l *failLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = false
	l.emit()
}

// emit writes one line for the counted failures; l.mu is held.
func (l *failLog) emit() {
	if l.count == 0 {
		return
	}
	l.log.Warn("admin: authentication failed", "failures", l.count, "last_remote", l.remote, "last_reason", l.reason)
	l.count = 0
	l.last = l.now()
}
