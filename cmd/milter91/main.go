// Command milter91 is a Postfix milter that authenticates senders (SPF,
// DKIM, DMARC), checks DNS blocklists and applies YAML rules.
//
//	milter91 serve [--config FILE] [--dns HOST:PORT]...
//	milter91 check [--config FILE] [--dns HOST:PORT]... --ip IP [--helo NAME] [--from ADDR] [--rcpt ADDR]... [--json] FILE|-
//	milter91 rules lint [--config FILE] [FILE|DIR]...
//	milter91 headers search --since WHEN [filters]
//	milter91 report --since WHEN [--format csv|json|html]
//	milter91 learn spam|ham [--config FILE] [--recipient ADDR] FILE|DIR|-
//	milter91 config default
//	milter91 version
package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

const usage = `usage:
  milter91 serve [--config FILE] [--dns HOST:PORT]...
  milter91 check [--config FILE] [--dns HOST:PORT]... --ip IP [--helo NAME] [--from ADDR]
                 [--rcpt ADDR]... [--auth-user NAME] [--direction inbound|outbound] [--json] FILE|-
  milter91 rules lint [--config FILE] [--no-defaults] [FILE|DIR]...
  milter91 dnsbl check [--config FILE] [--dns HOST:PORT]... [--zone ZONE] [--json] IP|DOMAIN|ADDRESS
  milter91 consent add|revoke|list|import|export [--db PATH] ...   (Decree 91/2020 Art. 11)
  milter91 refusal add|list|import|export [--db PATH] ...          (Decree 91/2020 Art. 13.4, 20)
  milter91 block add|remove|list [--db PATH] ...                   (users' block lists, Art. 10.2)
  milter91 headers search [--config FILE|--db FILE|URL] --since WHEN [--until WHEN] [--from ADDR]
                          [--rcpt ADDR] [--message-id ID] [--client-ip IP] [--limit N] [--json]
                                                                    (header archive, Decree 91/2020 Art. 10.6)
  milter91 report [--config FILE|--db FILE|URL] --since WHEN [--until WHEN] [--format csv|json|html]
                  [--top N] [--out FILE]                            (statistics, Decree 91/2020 Art. 10.7)
  milter91 learn spam|ham [--config FILE] [--recipient ADDR] [--admin HOST:PORT] [--token-file FILE]
                  FILE|DIR|-                                        (content classifier: milter91 learn --help)
  milter91 dkim keygen --domain D --selector S --algorithm rsa|ed25519 --out FILE
  milter91 dmarc report [--config FILE] [--db FILE|URL] --since WHEN [--until WHEN] --org-name NAME
                        --email ADDR [--out-dir DIR | --sendmail CMD] [--dns HOST:PORT]...
                                                                    (aggregate reports, RFC 9990)
  milter91 bench run|corpus|dns ...                                 (load generator: milter91 bench help)
  milter91 config default
  milter91 version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the process exit code:
// 0 success, 1 failure, 2 usage error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(args[1:], stderr)
	case "check":
		return cmdCheck(args[1:], stdin, stdout, stderr)
	case "rules":
		if len(args) > 1 && args[1] == "lint" {
			return cmdLint(args[2:], stdout, stderr)
		}
	case "dnsbl":
		return cmdDNSBL(args[1:], stdout, stderr)
	case "consent":
		return cmdConsent(args[1:], stdin, stdout, stderr)
	case "refusal":
		return cmdRefusal(args[1:], stdin, stdout, stderr)
	case "block":
		return cmdBlock(args[1:], stdout, stderr)
	case "bench":
		return cmdBench(args[1:], stdout, stderr)
	case "dmarc":
		return cmdDMARC(args[1:], stdout, stderr, time.Now)
	case "learn":
		return cmdLearn(args[1:], stdin, stdout, stderr)
	case "dkim":
		return cmdDKIM(args[1:], stdout, stderr)
	case "headers":
		return cmdHeaders(args[1:], stdout, stderr, time.Now)
	case "report":
		return cmdReport(args[1:], stdout, stderr, time.Now)
	case "config":
		if len(args) > 1 && args[1] == "default" {
			return cmdConfigDefault(stdout)
		}
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, versionLine())
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "milter91: unknown command %q\n%s", args[0], usage)
	return 2
}
