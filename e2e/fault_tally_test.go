package e2e

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/textproto"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// tally records what the senders of a fault test saw, per message token.
// It is safe for concurrent use.
type tally struct {
	mu       sync.Mutex
	accepted []string       // answered 2xx
	tempfail []string       // answered 4xx
	rejected []string       // answered 5xx
	noReply  []string       // the connection failed or dropped before a reply
	replies  map[string]int // "451 4.7.1" (code and enhanced code) → count
}

// add records the result of sending the message with token (sendOnce or
// smtpSession.send).
func (tl *tally) add(token string, r reply, err error) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.replies == nil {
		tl.replies = map[string]int{}
	}
	if err != nil {
		tl.noReply = append(tl.noReply, token)
		// The last part of a net error ("connection reset by peer")
		// without the addresses, so that equal failures add up.
		msg := err.Error()
		tl.replies["no reply: "+msg[strings.LastIndex(msg, ": ")+1:]]++
		return
	}
	key := fmt.Sprint(r.Code)
	if f := strings.Fields(r.Text); len(f) > 0 && strings.Count(f[0], ".") == 2 {
		key += " " + f[0]
	}
	tl.replies[key]++
	switch r.Code / 100 {
	case 2:
		tl.accepted = append(tl.accepted, token)
	case 4:
		tl.tempfail = append(tl.tempfail, token)
	default:
		tl.rejected = append(tl.rejected, token)
	}
}

// sent is the number of messages recorded.
func (tl *tally) sent() int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return len(tl.accepted) + len(tl.tempfail) + len(tl.rejected) + len(tl.noReply)
}

func (tl *tally) String() string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	keys := make([]string, 0, len(tl.replies))
	for k := range tl.replies {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, tl.replies[k])
	}
	return fmt.Sprintf("sent %d: 2xx %d, 4xx %d, 5xx %d, no reply %d (%s)",
		len(tl.accepted)+len(tl.tempfail)+len(tl.rejected)+len(tl.noReply),
		len(tl.accepted), len(tl.tempfail), len(tl.rejected), len(tl.noReply), strings.Join(parts, "; "))
}

// verifyDelivery waits until every accepted message reached the sink and
// the Postfix queue is empty, then fails the test unless each accepted
// message arrived exactly once, no tempfailed or rejected one arrived, and
// none without a reply arrived twice. It returns how many of the tally's
// messages arrived.
func verifyDelivery(t *testing.T, e *env, tl *tally) int {
	t.Helper()
	tl.mu.Lock()
	defer tl.mu.Unlock()
	deadline := time.Now().Add(sinkTimeout)
	for missing := -1; missing != 0; {
		counts := e.sink.sinkCounts()
		missing = 0
		for _, tok := range tl.accepted {
			if counts[messageID(tok)] == 0 {
				missing++
			}
		}
		if missing > 0 && time.Now().After(deadline) {
			t.Errorf("%d of %d accepted messages never reached the sink", missing, len(tl.accepted))
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := e.postfix.waitQueueEmpty(sinkTimeout); err != nil {
		t.Error(err)
	}
	counts := e.sink.sinkCounts()
	arrived := 0
	check := func(tokens []string, what string, ok func(n int) bool) {
		for _, tok := range tokens {
			n := counts[messageID(tok)]
			arrived += n
			if !ok(n) {
				t.Errorf("%s message %s arrived %d times", what, tok, n)
			}
		}
	}
	check(tl.accepted, "accepted", func(n int) bool { return n == 1 })
	check(tl.tempfail, "tempfailed", func(n int) bool { return n == 0 })
	check(tl.rejected, "rejected", func(n int) bool { return n == 0 })
	check(tl.noReply, "unanswered", func(n int) bool { return n <= 1 })
	return arrived
}

// waitQueueEmpty waits up to timeout until the instance's queue holds no
// message: postqueue -j prints nothing and the incoming queue directory
// holds no file. postqueue skips a file that cleanup is still writing
// (mode 0600 until the message is complete), and a message stays in that
// state while the milter checks it, so the queue listing alone can be
// empty before a message already sent with its final dot is queued. From
// then on no delivery can still add or duplicate a message at the sink.
func (p *postfixInstance) waitQueueEmpty(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	incoming := filepath.Join(p.Root, "queue", "incoming")
	for {
		out, err := exec.Command("/usr/sbin/postqueue", "-c", p.ConfigDir, "-j").CombinedOutput()
		if err != nil {
			return fmt.Errorf("postqueue -j: %w\n%s", err, out)
		}
		files, err := queueFiles(incoming)
		if err != nil {
			return err
		}
		if len(strings.TrimSpace(string(out))) == 0 && len(files) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postfix queue not empty after %v: incoming %q\n%s", timeout, files, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// queueFiles returns the names of the queue files under dir (hashed
// subdirectories included).
func queueFiles(dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			names = append(names, d.Name())
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while we walked
		}
		return err
	})
	return names, err
}

// faultMessage returns a message with token from alice@goodDomain (SPF and
// DMARC pass from 127.0.0.1) to recipient, with body ("" for a short one).
func faultMessage(token, subject, body string) outMessage {
	data := mail{Token: token, From: "<alice@" + goodDomain + ">", Subject: subject, Body: body}.build()
	return outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}
}

// dialGreeted connects to addr, reads the greeting and sends EHLO. A
// greeting or EHLO reply other than success is returned with a nil
// session; err means no reply.
func dialGreeted(addr string) (*smtpSession, reply, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, reply{}, err
	}
	s := &smtpSession{conn: conn, tp: textproto.NewConn(conn)}
	for _, line := range []string{"", "EHLO client.example.test"} {
		r, err := s.cmd(line)
		if err != nil || r.Code/100 != 2 {
			conn.Close()
			return nil, r, err
		}
	}
	return s, reply{}, nil
}

// sendOnce sends m in a new SMTP session to addr and ends the session; see
// dialGreeted and smtpSession.send for the reply.
func sendOnce(addr string, m outMessage) (reply, error) {
	s, r, err := dialGreeted(addr)
	if s == nil {
		return r, err
	}
	defer s.quit()
	return s.send(m)
}

// messageID is the Message-ID field value that mail.build gives token.
func messageID(token string) string { return "<" + token + "@e2e.test>" }

// sinkCounts returns how many messages with each Message-ID value the sink
// received.
func (s *sink) sinkCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, m := range s.msgs {
		for _, f := range headerFields(m.header()) {
			if fieldName(f) == "message-id" {
				out[fieldValue(f)]++
				break
			}
		}
	}
	return out
}
