package dmarcreport

import (
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Write writes fb as a gzip-compressed XML document (RFC 9990 §2.4.2:
// "SHOULD be subjected to GZIP compression", media type
// application/gzip).
func Write(w io.Writer, fb *Feedback) error {
	zw := gzip.NewWriter(w)
	if err := WriteXML(zw, fb); err != nil {
		zw.Close()
		return err
	}
	return zw.Close()
}

// WriteXML writes fb as an uncompressed XML document (text/xml).
func WriteXML(w io.Writer, fb *Feedback) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(fb); err != nil {
		return fmt.Errorf("dmarcreport: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Filename returns the attachment file name of fb (RFC 9990 §2.4.2):
// receiver!policy-domain!begin!end[!unique-id].xml.gz; uniqueID must be
// letters and digits or "".
func Filename(receiver string, fb *Feedback, uniqueID string) string {
	n := fmt.Sprintf("%s!%s!%d!%d", strings.ToLower(receiver), fb.Published.Domain,
		fb.Metadata.DateRange.Begin, fb.Metadata.DateRange.End)
	if uniqueID != "" {
		n += "!" + uniqueID
	}
	return n + ".xml.gz"
}

// Subject returns the Subject of the report message (RFC 9990 §2.4.2):
// "Report Domain: <policy domain> Submitter: <receiver> Report-ID: <id>".
func Subject(receiver string, fb *Feedback) string {
	return fmt.Sprintf("Report Domain: %s Submitter: %s Report-ID: <%s>", fb.Published.Domain, strings.ToLower(receiver), fb.Metadata.ReportID)
}
