package admin

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"milter91/internal/regfile"
)

// Token file limits.
const (
	// MinTokenLen is the shortest token LoadToken accepts, in bytes (our
	// choice: 16 random characters are beyond guessing over HTTP).
	MinTokenLen = 16
	// maxTokenFile bounds the file read: a token is one short line.
	maxTokenFile = 4096
)

// tokenChars are the characters of an RFC 6750 §2.1 b64token.
const tokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/="

// LoadToken reads the bearer token from the file at path, without
// surrounding whitespace. Errors: the file cannot be read, is not a
// regular file (a FIFO is refused at once, never waited on), is readable or writable by group or others (mode &
// 0o077, named in the error), is over 4 KiB, or the token is empty,
// shorter than MinTokenLen bytes or has characters a bearer token cannot
// carry (RFC 6750 §2.1).
func LoadToken(path string) ([]byte, error) {
	f, fi, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("admin: token file: %w", err)
	}
	defer f.Close()
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("admin: token file %s has mode %04o: group or others have access; chmod 600 it", path, perm)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return nil, fmt.Errorf("admin: token: %w", err)
	}
	if len(data) > maxTokenFile {
		return nil, fmt.Errorf("admin: token file %s is over %d bytes", path, maxTokenFile)
	}
	tok := bytes.TrimSpace(data)
	switch {
	case len(tok) == 0:
		return nil, fmt.Errorf("admin: token file %s is empty", path)
	case len(tok) < MinTokenLen:
		return nil, fmt.Errorf("admin: token in %s is %d bytes, want at least %d", path, len(tok), MinTokenLen)
	}
	if i := bytes.IndexFunc(tok, func(r rune) bool { return !strings.ContainsRune(tokenChars, r) }); i >= 0 {
		return nil, fmt.Errorf("admin: token in %s: byte %d is not allowed in a bearer token (want letters, digits, -._~+/=)", path, i+1)
	}
	return tok, nil
}
