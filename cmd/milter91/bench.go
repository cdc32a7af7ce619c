package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"milter91/internal/loadgen"
	"milter91/internal/sockaddr"
)

const benchUsage = `usage:
  milter91 bench run --milter inet:HOST:PORT|unix:/PATH --corpus DIR [--connections 32] [--per-conn 10]
                     [--duration 60s] [--messages N] [--drain 30s] [--timeout 30s] [--daemon-pid PID] [--json]
  milter91 bench corpus --out DIR [--messages 2000] [--seed 1]
  milter91 bench dns --zones DIR/zones.json [--listen 127.0.0.1:5353] [--delay 20ms]
  milter91 bench classify --train DIR [--test DIR] [--folds 5] [--seed 1] [--worst N] [classifier flags]
`

// corpusStart is the Date of a corpus's first message: fixed, so that a
// seed gives the same bytes on every run (except the DKIM-Signature t= and
// b= tags, which go-msgauth stamps with the signing time).
var corpusStart = time.Date(2025, 3, 3, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// cmdBench runs the load generator's subcommands; SIGINT or SIGTERM stops
// a run (messages in flight finish) or a server.
func cmdBench(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return bench(ctx, args, stdout, stderr)
}

// bench dispatches with ctx ending the run or the servers.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchUsage)
		return 2
	}
	switch args[0] {
	case "run":
		return benchRun(ctx, args[1:], stdout, stderr)
	case "corpus":
		return benchCorpus(args[1:], stdout, stderr)
	case "dns":
		return benchDNS(ctx, args[1:], stdout, stderr)
	case "classify":
		return benchClassify(ctx, args[1:], stdout, stderr)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, benchUsage)
		return 0
	}
	fmt.Fprintf(stderr, "milter91 bench: unknown command %q\n%s", args[0], benchUsage)
	return 2
}

// benchFlags returns a flag set that reports to stderr.
func benchFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseBench parses args; extra arguments or a required flag left empty
// (required maps flag names to their variables) are usage errors.
func parseBench(fs *flag.FlagSet, args []string, stderr io.Writer, required map[string]*string) bool {
	if err := parseFlags(fs, args); err != nil {
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "milter91 bench %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return false
	}
	names := make([]string, 0, len(required))
	for name := range required {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if *required[name] == "" {
			fmt.Fprintf(stderr, "milter91 %s: --%s is required\n", fs.Name(), name)
			return false
		}
	}
	return true
}

func benchRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := benchFlags("run", stderr)
	addr := fs.String("milter", "", "milter socket: inet:HOST:PORT, unix:/PATH (Postfix forms)")
	dir := fs.String("corpus", "", "corpus directory (from bench corpus)")
	opts := loadgen.RunOptions{}
	fs.IntVar(&opts.Connections, "connections", 32, "concurrent milter connections")
	fs.IntVar(&opts.PerConn, "per-conn", 10, "messages per SMTP session before reconnecting")
	fs.DurationVar(&opts.Duration, "duration", 60*time.Second, "stop starting messages after this (0: no limit)")
	fs.IntVar(&opts.Messages, "messages", 0, "stop after this many messages (0: no limit)")
	fs.DurationVar(&opts.Drain, "drain", 30*time.Second, "time messages in flight get after the stop")
	fs.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "milter dial/read/write timeout")
	fs.IntVar(&opts.DaemonPID, "daemon-pid", 0, "milter process to measure (CPU, RSS) through /proc")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	asUser := fs.String("as-user", "", "send every message as this SASL user (e.g. alice@example.com), to show a rate limit hold")
	if !parseBench(fs, args, stderr, map[string]*string{"milter": addr, "corpus": dir}) {
		return 2
	}
	var err error
	if opts.Network, opts.Address, err = sockaddr.Parse(*addr); err != nil {
		fmt.Fprintf(stderr, "milter91 bench run: %v\n", err)
		return 2
	}
	if opts.Corpus, err = loadgen.LoadCorpus(*dir); err != nil {
		fmt.Fprintf(stderr, "milter91 bench run: %v\n", err)
		return 1
	}
	if *asUser != "" {
		opts.Corpus.AsUser(*asUser)
	}
	res, err := loadgen.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "milter91 bench run: %v\n", err)
		return 1
	}
	if *asJSON {
		err = loadgen.WriteJSON(stdout, res)
	} else {
		err = loadgen.WriteText(stdout, res)
	}
	if err != nil || res.Messages == 0 {
		fmt.Fprintln(stderr, "milter91 bench run: no message got a decision")
		return 1
	}
	return 0
}

func benchCorpus(args []string, stdout, stderr io.Writer) int {
	fs := benchFlags("corpus", stderr)
	opts := loadgen.CorpusOptions{Start: corpusStart}
	fs.StringVar(&opts.Dir, "out", "", "output directory")
	fs.IntVar(&opts.Messages, "messages", 2000, "number of messages")
	fs.Uint64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same corpus (DKIM-Signature t=/b= aside)")
	if !parseBench(fs, args, stderr, map[string]*string{"out": &opts.Dir}) {
		return 2
	}
	m, err := loadgen.Generate(opts)
	if err != nil {
		fmt.Fprintf(stderr, "milter91 bench corpus: %v\n", err)
		return 1
	}
	kinds := map[string]int{}
	total := 0
	for _, e := range m.Messages {
		kinds[e.Kind]++
		total += e.Size
	}
	fmt.Fprintf(stdout, "wrote %d messages (%.1f MiB) to %s: %v\n", len(m.Messages), float64(total)/(1<<20), opts.Dir, kinds)
	return 0
}

func benchDNS(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := benchFlags("dns", stderr)
	path := fs.String("zones", "", "zones.json of a corpus")
	listen := fs.String("listen", "127.0.0.1:5353", "HOST:PORT for UDP and TCP (port 0: any free)")
	delay := fs.Duration("delay", 0, "artificial delay before each answer")
	if !parseBench(fs, args, stderr, map[string]*string{"zones": path}) {
		return 2
	}
	zones, err := loadgen.ReadZones(*path)
	if err != nil {
		fmt.Fprintf(stderr, "milter91 bench dns: %v\n", err)
		return 1
	}
	srv, err := loadgen.ServeDNS(zones, *listen, *delay)
	if err != nil {
		fmt.Fprintf(stderr, "milter91 bench dns: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "serving %d records on %s (delay %s)\n", len(zones.Records), srv.Addr(), *delay)
	<-ctx.Done()
	fmt.Fprintf(stdout, "answered %d queries\n", srv.Queries())
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "milter91 bench dns: %v\n", err)
		return 1
	}
	return 0
}
