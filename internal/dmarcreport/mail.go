package dmarcreport

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Message returns the report message for the recipients to (addresses
// from the verified rua URIs) from the reporter's address from (RFC 9990
// §2.4.2): the Subject of Subject, a short text part and the gzip
// document gz as an application/gzip attachment named filename, base64
// encoded in lines of 76 characters, CRLF line ends. The addresses must
// have been parsed (they are written as given).
func Message(from string, to []string, subject, filename string, gz []byte, now time.Time) []byte {
	boundary := fmt.Sprintf("=_milter91_%d", now.UnixNano())
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	w("From: <%s>", from)
	w("To: %s", "<"+strings.Join(to, ">, <")+">")
	w("Subject: %s", subject)
	w("Date: %s", now.UTC().Format(time.RFC1123Z))
	w("Message-ID: <%d.%s>", now.UnixNano(), strings.ReplaceAll(filename, "!", "."))
	w("MIME-Version: 1.0")
	w("Content-Type: multipart/mixed; boundary=\"%s\"", boundary)
	w("")
	w("--%s", boundary)
	w("Content-Type: text/plain; charset=us-ascii")
	w("")
	w("This is a DMARC aggregate report (RFC 9990): %s", subject)
	w("--%s", boundary)
	w("Content-Type: application/gzip")
	w("Content-Transfer-Encoding: base64")
	w("Content-Disposition: attachment; filename=\"%s\"", filename)
	w("")
	enc := base64.StdEncoding.EncodeToString(gz)
	for len(enc) > 76 {
		w("%s", enc[:76])
		enc = enc[76:]
	}
	w("%s", enc)
	w("--%s--", boundary)
	return b.Bytes()
}

// Sendmail hands msg to the local MTA: command ("/usr/sbin/sendmail -t
// -i"), split at spaces, reads it on its standard input and takes the
// recipients from its To field. The error holds the command's output.
func Sendmail(ctx context.Context, command string, msg []byte) error {
	argv := strings.Fields(command)
	if len(argv) == 0 {
		return errors.New("no sendmail command")
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(msg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", command, err, strings.TrimSpace(string(out)))
	}
	return nil
}
