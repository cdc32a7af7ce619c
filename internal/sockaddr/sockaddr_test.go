package sockaddr

import (
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in, network, address string
	}{
		{"inet:127.0.0.1:8891", "tcp", "127.0.0.1:8891"},
		{"inet:[::1]:8891", "tcp", "[::1]:8891"},
		{"inet:8891@127.0.0.1", "tcp", "127.0.0.1:8891"},
		{"inet:8891@localhost", "tcp", "localhost:8891"},
		{"inet6:8891@::1", "tcp6", "[::1]:8891"},
		{"inet6:8891@[::1]", "tcp6", "[::1]:8891"},
		{"inet6:[::1]:8891", "tcp6", "[::1]:8891"},
		{"inet:8891", "tcp", ":8891"},
		{"INET:127.0.0.1:0", "tcp", "127.0.0.1:0"},
		{"tcp://127.0.0.1:8891", "tcp", "127.0.0.1:8891"},
		{"unix:/run/milter91/milter.sock", "unix", "/run/milter91/milter.sock"},
		{"local:/run/milter91/milter.sock", "unix", "/run/milter91/milter.sock"},
		{"unix:///run/milter91/milter.sock", "unix", "/run/milter91/milter.sock"},
		{"unix:private/milter91", "unix", "private/milter91"},
	}
	for _, tc := range tests {
		n, a, err := Parse(tc.in)
		if err != nil || n != tc.network || a != tc.address {
			t.Errorf("Parse(%q) = %q, %q, %v; want %q, %q", tc.in, n, a, err, tc.network, tc.address)
		}
	}
}

func TestParseAddressErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "want inet:HOST:PORT"},
		{"127.0.0.1:8891", `unknown transport "127.0.0.1"`},
		{"tcp:8891", "tcp://HOST:PORT"},
		{"smtp:foo", `unknown transport "smtp"`},
		{"inet:", "missing host and port"},
		{"inet:127.0.0.1", "want HOST:PORT"},
		{"inet:::1:8891", "[IPv6]:PORT"},
		{"inet:[::1:8891", "want HOST:PORT"},
		{"inet:127.0.0.1:", "missing port"},
		{"inet:127.0.0.1:99999", "out of range"},
		{"inet:127.0.0.1:no-such-service-m91", `unknown port "no-such-service-m91"`},
		{"inet:8891@", "missing host"},
		{"inet:@127.0.0.1", "missing port"},
		{"inet:bad host:25", `bad host "bad host"`},
		{"unix:", "needs a path"},
		{"local:", "needs a path"},
	}
	for _, tc := range tests {
		_, _, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "milter socket") {
			t.Errorf("Parse(%q) error = %v, want one containing %q", tc.in, err, tc.wantErr)
		}
	}
}

func TestListenInet(t *testing.T) {
	tests := []struct{ addr, wantHost string }{
		{"inet:127.0.0.1:0", "127.0.0.1"},
		{"inet:0@127.0.0.1", "127.0.0.1"},
		{"inet:[::1]:0", "::1"},
		{"inet6:0@::1", "::1"},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			ln, err := Listen(tc.addr, 0, "ignored-for-tcp")
			if err != nil {
				if strings.Contains(tc.wantHost, ":") && strings.Contains(err.Error(), "cannot assign") {
					t.Skip("no IPv6 loopback here")
				}
				t.Fatal(err)
			}
			defer ln.Close()
			tcp, ok := ln.Addr().(*net.TCPAddr)
			if !ok || tcp.IP.String() != tc.wantHost || tcp.Port == 0 {
				t.Fatalf("listening on %v, want %s with a kernel-chosen port", ln.Addr(), tc.wantHost)
			}
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			c.Close()
		})
	}
}

// shortDir keeps unix socket paths under the 108-byte sun_path limit.
func shortDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "m91")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func TestListenUnixMode(t *testing.T) {
	tests := []struct {
		prefix string
		mode   os.FileMode
		want   os.FileMode
	}{
		{"unix:", 0, 0o660},
		{"unix:", 0o600, 0o600},
		{"local:", 0o666, 0o666},
	}
	for _, tc := range tests {
		path := filepath.Join(shortDir(t), "m.sock")
		ln, err := Listen(tc.prefix+path, tc.mode, "")
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != tc.want {
			t.Errorf("%s mode %o: socket %v %v, want a socket with mode %o", tc.prefix, tc.mode, fi.Mode(), err, tc.want)
		}
		ln.Close()
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("socket file left after Close: %v", err)
		}
	}
}

func TestListenUnixGroup(t *testing.T) {
	g, err := user.LookupGroupId(strconv.Itoa(os.Getgid()))
	if err != nil {
		t.Skipf("no name for gid %d: %v", os.Getgid(), err)
	}
	path := filepath.Join(shortDir(t), "m.sock")
	ln, err := Listen("unix:"+path, 0, g.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fi, _ := os.Stat(path)
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || strconv.Itoa(int(st.Gid)) != g.Gid {
		t.Errorf("socket group %v, want gid %s", fi.Sys(), g.Gid)
	}

	_, err = Listen("unix:"+filepath.Join(shortDir(t), "n.sock"), 0, "no-such-group-m91")
	if err == nil || !strings.Contains(err.Error(), `"no-such-group-m91"`) {
		t.Errorf("unknown group: error %v, want one naming the group", err)
	}
}

func TestListenUnixExistingPath(t *testing.T) {
	dir := shortDir(t)
	stale := filepath.Join(dir, "stale.sock")
	old, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close() // leaves the socket file behind, like a crashed daemon

	live := filepath.Join(dir, "live.sock")
	busy, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	regular := filepath.Join(dir, "file")
	if err := os.WriteFile(regular, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct{ path, wantErr string }{
		{stale, ""},
		{live, "another process is listening"},
		{regular, "not a socket"},
	}
	for _, tc := range tests {
		ln, err := Listen("unix:"+tc.path, 0, "")
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v, want the stale socket replaced", tc.path, err)
			} else {
				ln.Close()
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want %q", tc.path, err, tc.wantErr)
		}
	}
	if b, err := os.ReadFile(regular); err != nil || string(b) != "keep" {
		t.Errorf("regular file changed: %q %v", b, err)
	}
}
