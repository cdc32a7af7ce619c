package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"milter91/internal/dkimsign"
)

const dkimUsage = "usage: milter91 dkim keygen --domain D --selector S --algorithm rsa|ed25519 --out FILE"

// cmdDKIM runs `milter91 dkim keygen`: it writes a new signing key (PKCS#8
// PEM, mode 0600, never over an existing file) and prints the zone-file
// line of its key record (RFC 6376 §3.6.1). Exit 0 on success, 1 when the
// key cannot be written, 2 on usage errors.
func cmdDKIM(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "keygen" {
		fmt.Fprintln(stderr, dkimUsage)
		return 2
	}
	fs := flag.NewFlagSet("dkim keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	domain := fs.String("domain", "", "signing domain (the d= tag)")
	selector := fs.String("selector", "", "selector (the s= tag)")
	alg := fs.String("algorithm", "", "rsa (RSA-2048) or ed25519")
	out := fs.String("out", "", "key file to create (mode 0600; an existing file is never replaced)")
	if err := parseFlags(fs, args[1:]); err != nil || fs.NArg() != 0 || *domain == "" || *selector == "" || *alg == "" || *out == "" {
		fmt.Fprintln(stderr, dkimUsage)
		return 2
	}
	spec := []dkimsign.KeySpec{{Domain: *domain, Selector: *selector, Key: *out}}
	if p := dkimsign.CheckSpecs(spec); len(p) > 0 {
		fmt.Fprintf(stderr, "milter91 dkim keygen: %s\n", p[0].Msg)
		return 2
	}
	key, pemData, err := dkimsign.GenerateKey(*alg)
	if err != nil {
		fmt.Fprintf(stderr, "milter91 dkim keygen: %v\n", err)
		return 2
	}
	record, err := dkimsign.KeyRecord(key.Public())
	if err == nil {
		err = writeNew(*out, pemData)
	}
	if err != nil {
		fmt.Fprintf(stderr, "milter91 dkim keygen: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, dkimsign.ZoneLine(*selector, *domain, record))
	return 0
}

// writeNew creates path with mode 0600 and writes data, refusing an
// existing file (O_EXCL: no race with another writer either).
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists: not replacing a key (remove it first, or choose another --out)", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
