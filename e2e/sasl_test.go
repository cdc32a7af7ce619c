package e2e

import (
	"bufio"
	"encoding/base64"
	"net"
	"strings"
	"sync"
)

// saslServer speaks the server side of Dovecot's authentication protocol
// (version 1.1, the one Postfix's smtpd_sasl_type=dovecot client uses),
// so that the private Postfix offers real SMTP AUTH without a Dovecot
// installation: mechanism PLAIN, any user whose password is saslPassword.
type saslServer struct {
	ln net.Listener
	wg sync.WaitGroup
}

// saslPassword is the password of every test user.
const saslPassword = "e2e-secret"

// startSASL listens on a loopback port for Postfix's auth connections.
func startSASL() (*saslServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &saslServer{ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { serveSASL(c) })
		}
	})
	return s, nil
}

// Addr is the smtpd_sasl_path of the server: inet:HOST:PORT.
func (s *saslServer) Addr() string { return "inet:" + s.ln.Addr().String() }

func (s *saslServer) close() {
	s.ln.Close()
	s.wg.Wait()
}

// serveSASL answers one Postfix smtpd process: the handshake, then AUTH
// requests (with the initial response, or after a CONT) until it hangs up.
func serveSASL(c net.Conn) {
	defer c.Close()
	w := bufio.NewWriter(c)
	w.WriteString("VERSION\t1\t1\nMECH\tPLAIN\tplaintext\nSPID\t1\nCUID\t1\nCOOKIE\t00112233445566778899aabbccddeeff\nDONE\n")
	if w.Flush() != nil {
		return
	}
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		var id, resp string
		switch {
		case f[0] == "AUTH" && len(f) >= 3:
			id = f[1]
			for _, p := range f[3:] {
				if v, ok := strings.CutPrefix(p, "resp="); ok {
					resp = v
				}
			}
			if resp == "" {
				w.WriteString("CONT\t" + id + "\t\n")
				w.Flush()
				continue
			}
		case f[0] == "CONT" && len(f) >= 3:
			id, resp = f[1], f[2]
		default:
			continue // VERSION, CPID
		}
		if user, ok := checkPlain(resp); ok {
			w.WriteString("OK\t" + id + "\tuser=" + user + "\n")
		} else {
			w.WriteString("FAIL\t" + id + "\n")
		}
		if w.Flush() != nil {
			return
		}
	}
}

// checkPlain reads a PLAIN response (RFC 4616: authzid NUL authcid NUL
// password, base64) and returns the user when the password is right.
func checkPlain(b64 string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] == "" || parts[2] != saslPassword {
		return "", false
	}
	return parts[1], true
}

// plainAuth is the SMTP AUTH PLAIN command with user's initial response.
func plainAuth(user string) string {
	return "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+saslPassword))
}
