package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"milter91/config"
	"milter91/internal/resolver"
)

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

// Set implements flag.Value.
func (m *multiFlag) Set(s string) error {
	*m = append(*m, s)
	return nil
}

// common are the flags serve, check and rules lint share.
type common struct {
	configPath string
	dns        multiFlag
}

func newFlagSet(name string, stderr io.Writer, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.configPath, "config", "", "daemon config file (default: the embedded default)")
	fs.Var(&c.dns, "dns", "nameserver HOST:PORT, repeatable; overrides dns.servers")
	return fs
}

// parseFlags parses args into fs with flags allowed anywhere, before,
// between or after the positional arguments: Go's flag package stops at the
// first argument that is not a flag, so `check msg.eml --json` would take
// --json for a second file name. Every argument after "--" is positional,
// and so is "-" (stdin). Afterwards fs.Args() holds the positional
// arguments in their order. The error is the flag package's (already
// printed to fs's output).
func parseFlags(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// resolverInfo names the nameservers a command asks ("IP:PORT") and where
// they came from: "--dns", "dns.servers" (the config) or resolvConf.
type resolverInfo struct {
	Servers []string `json:"servers"`
	Source  string   `json:"source"`
}

// resolverOf describes the resolver res that newResolver built from cfg,
// as loadConfig produced it from c.
func (c *common) resolverOf(cfg *config.Config, res *resolver.Client) resolverInfo {
	info := resolverInfo{Servers: res.Servers(), Source: resolvConf}
	switch {
	case len(c.dns) > 0:
		info.Source = "--dns"
	case len(cfg.DNS.Servers) > 0:
		info.Source = "dns.servers"
	}
	return info
}

// String is the text form: "127.0.0.1:53 (--dns)".
func (r resolverInfo) String() string {
	return strings.Join(r.Servers, ", ") + " (" + r.Source + ")"
}

// loadConfig reads --config (or the embedded default) and applies --dns.
func (c *common) loadConfig() (*config.Config, error) {
	var cfg *config.Config
	var err error
	if c.configPath == "" {
		cfg, err = config.Default()
	} else {
		cfg, err = config.Load(c.configPath)
	}
	if err != nil {
		return nil, err
	}
	if len(c.dns) > 0 {
		servers := make([]string, 0, len(c.dns))
		for _, s := range c.dns {
			n, err := config.NormalizeServer(s)
			if err != nil {
				return nil, fmt.Errorf("--dns: %w", err)
			}
			servers = append(servers, n)
		}
		cfg.DNS.Servers = servers
	}
	return cfg, nil
}

func cmdConfigDefault(stdout io.Writer) int {
	stdout.Write(config.DefaultYAML())
	return 0
}
