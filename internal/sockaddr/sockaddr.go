// Package sockaddr parses and opens milter socket addresses in the forms
// Postfix (smtpd_milters), Sendmail/libmilter and Go write them, for the
// daemon's listen addresses and the load tool's target. It knows nothing
// of the milter protocol: the config validates addresses with Parse
// without linking the milter adapter.
package sockaddr

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// DefaultSocketMode is the permission of a unix socket when Listen is given
// mode 0: owner and group (Postfix) may connect, others may not.
const DefaultSocketMode os.FileMode = 0o660

// Parse turns a milter socket address into a Go network and address
// for net.Listen. Accepted forms:
//
//	inet:HOST:PORT     Postfix (main.cf smtpd_milters); IPv6 as inet:[::1]:PORT
//	inet:PORT@HOST     Sendmail/libmilter (e.g. OpenDKIM "Socket inet:8891@localhost")
//	inet:PORT          all interfaces (libmilter)
//	inet6:…            the same forms, IPv6 only
//	unix:/PATH         also local:/PATH and unix:///PATH
//	tcp://HOST:PORT    Go style
//
// network is "tcp", "tcp6" or "unix". PORT is 0–65535 or a service name from
// /etc/services. A malformed address gives an error that names it and the
// expected forms.
func Parse(addr string) (network, address string, err error) {
	transport, rest, ok := strings.Cut(addr, ":")
	if !ok || transport == "" {
		return "", "", fmt.Errorf("milter socket %q: want inet:HOST:PORT, inet:PORT@HOST, inet6:… or unix:/PATH", addr)
	}
	switch strings.ToLower(transport) {
	case "unix", "local":
		path := strings.TrimPrefix(rest, "//")
		if path == "" || strings.ContainsRune(path, 0) {
			return "", "", fmt.Errorf("milter socket %q: unix socket needs a path, e.g. unix:/run/milter91/milter.sock", addr)
		}
		return "unix", path, nil
	case "inet", "inet6":
		network = "tcp"
		if strings.EqualFold(transport, "inet6") {
			network = "tcp6"
		}
		address, err = inetAddress(rest)
	case "tcp":
		if !strings.HasPrefix(rest, "//") {
			return "", "", fmt.Errorf("milter socket %q: Go-style TCP addresses are written tcp://HOST:PORT", addr)
		}
		network = "tcp"
		address, err = inetAddress(strings.TrimPrefix(rest, "//"))
	default:
		return "", "", fmt.Errorf("milter socket %q: unknown transport %q (want inet, inet6, unix or local)", addr, transport)
	}
	if err != nil {
		return "", "", fmt.Errorf("milter socket %q: %w", addr, err)
	}
	return network, address, nil
}

// inetAddress converts the part after "inet:" to HOST:PORT for net.Listen.
func inetAddress(s string) (string, error) {
	var host, port string
	switch {
	case s == "":
		return "", errors.New("missing host and port")
	case strings.Contains(s, "@"):
		port, host, _ = strings.Cut(s, "@")
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		if host == "" {
			return "", errors.New("missing host after '@' (Sendmail form is inet:PORT@HOST)")
		}
	case isDigits(s):
		port = s
	default:
		var err error
		if host, port, err = net.SplitHostPort(s); err != nil {
			return "", fmt.Errorf("want HOST:PORT, [IPv6]:PORT or PORT@HOST: %w", err)
		}
	}
	if err := checkPort(port); err != nil {
		return "", err
	}
	if strings.ContainsAny(host, " \t/@[]") {
		return "", fmt.Errorf("bad host %q", host)
	}
	return net.JoinHostPort(host, port), nil
}

// checkPort accepts 0–65535 or a service name known to /etc/services.
func checkPort(port string) error {
	if port == "" {
		return errors.New("missing port")
	}
	if isDigits(port) {
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			return fmt.Errorf("port %s out of range 0-65535", port)
		}
		return nil
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("unknown port %q", port)
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Listen opens the milter socket addr (forms: see Parse).
//
// For a unix socket it first removes a stale socket file (one nobody listens
// on; a live socket or a non-socket file is an error and is left alone), then
// sets the permission bits to mode (DefaultSocketMode when 0) and, when group
// is not empty, the group (name or numeric gid) so that Postfix can connect.
// mode and group are ignored for TCP. Closing the listener removes the socket
// file.
func Listen(addr string, mode os.FileMode, group string) (net.Listener, error) {
	network, address, err := Parse(addr)
	if err != nil {
		return nil, err
	}
	if network != "unix" {
		ln, err := net.Listen(network, address)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
		return ln, nil
	}
	return listenUnix(address, mode, group)
}

func listenUnix(path string, mode os.FileMode, group string) (net.Listener, error) {
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on unix:%s: %w", path, err)
	}
	if mode == 0 {
		mode = DefaultSocketMode
	}
	if err := os.Chmod(path, mode.Perm()); err != nil {
		ln.Close()
		return nil, fmt.Errorf("set mode %04o on socket %s: %w", mode.Perm(), path, err)
	}
	if group == "" {
		return ln, nil
	}
	gid, err := lookupGroup(group)
	if err == nil {
		err = os.Chown(path, -1, gid)
	}
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("set group %q on socket %s: %w", group, path, err)
	}
	return ln, nil
}

// removeStaleSocket deletes path if it is a unix socket that no process
// accepts on (left behind by a crash); anything else there is an error.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("socket %s: %w", path, err)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("socket %s: path exists and is not a socket; not removing it", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("socket %s: another process is listening on it", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	return nil
}

// lookupGroup resolves a group name (or a numeric gid) from the local group
// database.
func lookupGroup(group string) (int, error) {
	g, err := user.LookupGroup(group)
	if err == nil {
		return strconv.Atoi(g.Gid)
	}
	if isDigits(group) {
		return strconv.Atoi(group)
	}
	return 0, err
}
