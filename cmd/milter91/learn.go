package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"milter91/internal/admin"
	"milter91/internal/bayes"
	"milter91/internal/mailbox"
)

const learnUsage = `usage: milter91 learn spam|ham [--config FILE] [--recipient ADDR] [--admin HOST:PORT]
                      [--token-file FILE] [--tls-cert FILE] [--quiet] FILE|DIR|-
  FILE: one message or an mbox; DIR: a maildir (new/, cur/) or a directory of message files;
  -: standard input (one message, or an mbox), as Dovecot's imapsieve pipes it.
  The messages go to the running daemon's admin API (POST /v1/learn), admin.listen and
  admin.token_file of the config unless given.
`

// learnTimeout bounds one message's request to the daemon.
const learnTimeout = 30 * time.Second

// learnTally counts the outcomes of one run.
type learnTally struct{ learned, moved, already, failed int }

func cmdLearn(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("learn", stderr, &c)
	rcpt := fs.String("recipient", "", "learn in this recipient's counts too (bayes.per_recipient)")
	listen := fs.String("admin", "", "the daemon's admin API HOST:PORT (default: admin.listen)")
	tokenFile := fs.String("token-file", "", "bearer token file (default: admin.token_file)")
	certFile := fs.String("tls-cert", "", "the API's certificate, for HTTPS (default: admin.tls_cert)")
	quiet := fs.Bool("quiet", false, "print only the summary")
	fs.Usage = func() { fmt.Fprint(stderr, learnUsage) }
	if err := parseFlags(fs, args); err != nil {
		return 2 // the flag package printed the usage
	}
	if fs.NArg() != 2 {
		fmt.Fprint(stderr, learnUsage)
		return 2
	}
	class, path := fs.Arg(0), fs.Arg(1)
	if _, err := bayes.ParseClass(class); err != nil {
		fmt.Fprint(stderr, learnUsage)
		return 2
	}
	client, err := learnClient(&c, *listen, *tokenFile, *certFile)
	if err != nil {
		fmt.Fprintf(stderr, "milter91 learn: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var t learnTally
	err = mailbox.Walk(path, stdin, mailbox.DefaultMaxMessage, func(m mailbox.Message) error {
		t.learn(ctx, client, m, class, *rcpt, *quiet, stdout, stderr)
		return ctx.Err()
	})
	fmt.Fprintf(stdout, "%s: %d learned, %d moved from the other class, %d already learned, %d failed\n",
		class, t.learned, t.moved, t.already, t.failed)
	if err != nil {
		fmt.Fprintf(stderr, "milter91 learn: %v\n", err)
		return 1
	}
	if t.failed > 0 {
		return 1
	}
	return 0
}

// learnClient reads the API's address, token and certificate from the
// flags, else from the config.
func learnClient(c *common, listen, tokenFile, certFile string) (*admin.Client, error) {
	if listen == "" || tokenFile == "" {
		cfg, err := c.loadConfig()
		if err != nil {
			return nil, err
		}
		listen = cmp.Or(listen, cfg.Admin.Listen)
		tokenFile = cmp.Or(tokenFile, cfg.Admin.TokenFile)
		certFile = cmp.Or(certFile, cfg.Admin.TLSCert)
	}
	if listen == "" {
		return nil, fmt.Errorf("no admin API: set admin.listen in the config or give --admin")
	}
	token, err := admin.LoadToken(tokenFile)
	if err != nil {
		return nil, err
	}
	return admin.NewClient(listen, token, certFile, learnTimeout)
}

// learn sends one message and prints what the daemon learned.
func (t *learnTally) learn(ctx context.Context, client *admin.Client, m mailbox.Message, class, rcpt string, quiet bool, stdout, stderr io.Writer) {
	if m.Err != nil {
		t.failed++
		fmt.Fprintf(stderr, "milter91 learn: %s: %v\n", m.Source, m.Err)
		return
	}
	ans, err := client.Learn(ctx, m.Data, class, rcpt)
	if err != nil {
		t.failed++
		fmt.Fprintf(stderr, "milter91 learn: %s: %v\n", m.Source, err)
		return
	}
	var parts []string
	for i, s := range ans.Scopes {
		if i == 0 {
			switch s.Outcome {
			case "learned":
				t.learned++
			case "moved":
				t.moved++
			default:
				t.already++
			}
		}
		parts = append(parts, fmt.Sprintf("%s %s (now %d spam, %d ham)", s.Scope, s.Outcome, s.SpamLearned, s.HamLearned))
	}
	if !quiet {
		fmt.Fprintf(stdout, "%s %s: %d features; %s\n", class, m.Source, ans.Features, strings.Join(parts, "; "))
	}
}
