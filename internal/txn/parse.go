package txn

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"milter91/internal/mailmsg"
)

// ReadMessage splits an RFC 5322 message read from r into its header fields
// (mailmsg.ReadHeader: byte-exact values, folding kept) and its body,
// spooled per threshold and dir (see NewSpool). Bare LF line ends are
// turned into CRLF, as an MTA does on the wire, so DKIM sees the same bytes
// a milter would. The header block ends at the first empty line, or at the
// first line that is neither a field nor a continuation (that line starts
// the body, as in Postfix's cleanup). Time and memory are linear in the
// message size. Errors come only from reading r or writing the spool.
func ReadMessage(r io.Reader, threshold int64, dir string) ([]Header, *Spool, error) {
	return ReadMessageLimits(r, threshold, dir, mailmsg.Limits{})
}

// ReadMessageLimits is ReadMessage with the header block bounded by lim
// (mailmsg.ReadHeaderLimits): past a limit it returns an error wrapping
// mailmsg.ErrHeaderBytes or mailmsg.ErrHeaderFields, having read no more
// of r than about lim.Bytes, and no body.
func ReadMessageLimits(r io.Reader, threshold int64, dir string, lim mailmsg.Limits) ([]Header, *Spool, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	headers, first, err := mailmsg.ReadHeaderLimits(br, lim)
	if err != nil {
		return nil, nil, fmt.Errorf("reading message: %w", err)
	}
	body := NewSpool(threshold, dir)
	if _, err := body.Write(first); err != nil {
		return nil, nil, err
	}
	return headers, body, copyCRLF(body, br)
}

// copyCRLF copies the rest of br into w with every line ending in CRLF,
// in 64 KiB writes (a spool on disk would otherwise get a system call per
// line).
func copyCRLF(w io.Writer, br *bufio.Reader) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = append(bytes.TrimRight(line, "\r\n"), '\r', '\n')
			}
			if _, werr := bw.Write(line); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return bw.Flush()
		}
		if err != nil {
			return fmt.Errorf("reading message: %w", err)
		}
	}
}
