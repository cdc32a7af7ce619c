package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"milter91/internal/userblock"
)

const blockUsage = `usage:
  milter91 block add    [--db PATH] --rcpt ADDR --kind address|domain|advertiser --value V [--note TEXT]
  milter91 block remove [--db PATH] --rcpt ADDR --kind address|domain|advertiser --value V
  milter91 block list   [--db PATH] [--rcpt ADDR] [--kind KIND] [--limit N]
(users' own block lists, Decree 91/2020 Art. 10.2; every subcommand also takes --config FILE,
whose decree91.registry is the default --db)
`

// cmdBlock manages the users' block lists. Exit 0 on success, 1 on
// failure, 2 on usage errors and refused input.
func cmdBlock(args []string, stdout, stderr io.Writer) int {
	return runBlock(context.Background(), args, cliEnv{stdout: stdout, stderr: stderr, now: time.Now})
}

func runBlock(ctx context.Context, args []string, env cliEnv) int {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, blockUsage)
		return 2
	}
	var f registryFlags
	var b userblock.Block
	limit := 1000
	fs := newRegistryFlagSet("block "+args[0], env, &f)
	fs.StringVar(&b.Recipient, "rcpt", "", "the recipient whose list it is")
	fs.StringVar(&b.Kind, "kind", "", "address, domain (with its subdomains) or advertiser")
	fs.StringVar(&b.Value, "value", "", "the blocked address, domain or advertiser id")
	fs.StringVar(&b.Note, "note", "", "free text, at most 512 bytes")
	fs.IntVar(&limit, "limit", limit, "list: at most this many entries")
	if err := parseFlags(fs, args[1:]); err != nil || fs.NArg() > 0 {
		fmt.Fprint(env.stderr, blockUsage)
		return 2
	}
	op := map[string]func(context.Context, *userblock.Store, userblock.Block, int, cliEnv) error{
		"add": blockAdd, "remove": blockRemove, "list": blockList}[args[0]]
	needKey := args[0] != "list"
	if op == nil || (needKey && (b.Recipient == "" || b.Kind == "" || b.Value == "")) {
		fmt.Fprint(env.stderr, blockUsage)
		return 2
	}
	s, err := openBlocks(ctx, &f, args[0] == "add")
	if err == nil {
		defer s.Close()
		err = op(ctx, s, b, limit, env)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "milter91 block %s: %v\n", args[0], err)
		if errors.Is(err, userblock.ErrInvalid) {
			return 2
		}
		return 1
	}
	return 0
}

// openBlocks opens the block-list store at the registry's target; only
// add creates a missing SQLite file.
func openBlocks(ctx context.Context, f *registryFlags, create bool) (*userblock.Store, error) {
	path, err := f.target(create)
	if err != nil {
		return nil, err
	}
	return userblock.Open(ctx, path)
}

func blockAdd(ctx context.Context, s *userblock.Store, b userblock.Block, _ int, env cliEnv) error {
	b.Source = userblock.SourceCLI
	got, err := s.Add(ctx, b, env.now())
	if err != nil {
		return err
	}
	return blockTable(env.stdout, []userblock.Block{got})
}

func blockRemove(ctx context.Context, s *userblock.Store, b userblock.Block, _ int, env cliEnv) error {
	removed, err := s.Remove(ctx, b.Key())
	if err == nil && !removed {
		err = fmt.Errorf("no %s entry %s in the block list of %s", b.Kind, b.Value, b.Recipient)
	}
	if err == nil {
		fmt.Fprintf(env.stdout, "removed %s %s from the block list of %s\n", b.Kind, b.Value, b.Recipient)
	}
	return err
}

func blockList(ctx context.Context, s *userblock.Store, b userblock.Block, limit int, env cliEnv) error {
	bs, err := s.List(ctx, userblock.Filter{Recipient: b.Recipient, Kind: b.Kind, Limit: limit})
	if err != nil {
		return err
	}
	return blockTable(env.stdout, bs)
}

func blockTable(w io.Writer, bs []userblock.Block) error {
	return streamTable(w, "RECIPIENT\tKIND\tVALUE\tTIME\tSOURCE\tNOTE", func(row func(...string)) error {
		for _, b := range bs {
			row(b.Recipient, b.Kind, b.Value, tableTime(b.Time), b.Source, oneLine(b.Note))
		}
		return nil
	})
}
