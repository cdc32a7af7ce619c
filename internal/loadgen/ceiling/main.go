// Command ceiling is the load test's yardstick: an accept-everything milter
// built on the unpatched upstream github.com/d--j/go-milter v0.10.1 (this
// directory is a Go module of its own, without the replace that gives
// milter91 its patched copy). It negotiates what milter91 negotiates for a
// configuration without early rejects (the protocol options and macro
// requests of milter.NegotiationOptions), receives every event of every
// message and accepts each one at end of message without looking at it,
// so its CPU per message is what the protocol library alone costs.
//
//	cd internal/loadgen/ceiling && go build -o /tmp/ceiling .
//	/tmp/ceiling --listen inet:127.0.0.1:8892
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	milter "github.com/d--j/go-milter"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx ends; it returns the exit code (2: usage).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "inet:127.0.0.1:8892", "milter socket to listen on: inet:HOST:PORT or unix:/PATH")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	ln, err := listenSocket(*listen)
	if err != nil {
		fmt.Fprintf(stderr, "ceiling: %v\n", err)
		return 1
	}
	srv := newServer()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "accept-everything milter (upstream go-milter v0.10.1) on %s (pid %d)\n", ln.Addr(), os.Getpid())
	select {
	case err = <-served:
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(shut)
	}
	if err != nil && !errors.Is(err, milter.ErrServerClosed) && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderr, "ceiling: %v\n", err)
		return 1
	}
	return 0
}

// listenSocket listens on a Postfix-style milter address: inet:HOST:PORT
// or unix:/PATH.
func listenSocket(addr string) (net.Listener, error) {
	kind, rest, ok := strings.Cut(addr, ":")
	switch {
	case ok && kind == "inet" && rest != "":
		return net.Listen("tcp", rest)
	case ok && kind == "unix" && rest != "":
		return net.Listen("unix", rest)
	}
	return nil, fmt.Errorf("milter socket %q: want inet:HOST:PORT or unix:/PATH", addr)
}
