package admin

import (
	"context"
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
// else runs and names the operator whose token it is.
type authenticator struct {
	tokens []namedDigest
	fail   *failLog
}

// namedDigest is one operator's token as its SHA-256 digest: equal
// lengths for the comparison.
type namedDigest struct {
	name string
	want [sha256.Size]byte
}

func newAuthenticator(tokens []NamedToken, log *slog.Logger, now func() time.Time, after func(time.Duration, func())) *authenticator {
	au := &authenticator{fail: &failLog{log: log, now: now, after: after}}
	for _, t := range tokens {
		au.tokens = append(au.tokens, namedDigest{name: t.Name, want: sha256.Sum256(t.Token)})
	}
	return au
}

// operatorKey is the request context key of the authenticated operator.
type operatorKey struct{}

// Operator returns the name of the operator whose token authenticated
// the request of ctx; "" outside an authenticated request.
func Operator(ctx context.Context) string {
	name, _ := ctx.Value(operatorKey{}).(string)
	return name
}

// wrap answers 401 with WWW-Authenticate (RFC 6750 §3) unless the
// request carries the token; next then runs.
func (au *authenticator) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, reason := au.check(r.Header.Get("Authorization"))
		if reason != "" {
			au.fail.note(r.RemoteAddr, reason)
			w.Header().Set("WWW-Authenticate", `Bearer realm="milter91"`)
			writeError(w, http.StatusUnauthorized, reason)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), operatorKey{}, name)))
	})
}

// check returns the operator whose token the Authorization value h
// carries, or why it does not authenticate. The scheme is
// case-insensitive (RFC 9110 §11.1). The token is compared with every
// operator's as SHA-256 digests in constant time, all of them whatever
// matched, so neither their content, their length nor which one matched
// shows in the timing.
func (au *authenticator) check(h string) (name, reason string) {
	if h == "" {
		return "", "missing Authorization header: want Bearer <token>"
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", "Authorization scheme " + quoteShort(scheme) + ": want Bearer"
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	found := -1
	for i := range au.tokens {
		if subtle.ConstantTimeCompare(got[:], au.tokens[i].want[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return "", "invalid bearer token"
	}
	return au.tokens[found].name, ""
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
