package arf

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"milter91/internal/mailmsg"
)

// Parse reads one feedback report (RFC 5965 §2) from r: the message's
// header, then its MIME parts. The message/feedback-report part gives the
// fields; a message/rfc822, message/global or text/rfc822-headers part the
// reported message, kept up to MaxOriginal bytes. Parts may be 7bit,
// 8bit, quoted-printable or base64. Errors wrap ErrNotReport (another
// kind of message) or ErrMalformed (a broken report, or no Feedback-Type);
// a read error of r is returned as is. A report cut by MaxInput inside
// its reported message is returned with Truncated set.
func Parse(r io.Reader) (*Report, error) {
	in := &countingReader{r: io.LimitReader(r, MaxInput)}
	br := bufio.NewReader(in)
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3) // a byte-order mark some tools write before the header
	}
	fields, first, err := mailmsg.ReadHeaderLimits(br, mailmsg.Limits{Bytes: maxHeaderBytes, Fields: MaxFields})
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	rep := &Report{}
	boundary := ""
	for _, f := range fields {
		switch strings.ToLower(f.Name) {
		case "content-type":
			boundary = reportBoundary(f.Value)
		case "subject":
			rep.Subject = clip(mailmsg.DecodeHeader(strings.TrimSpace(mailmsg.Unfold(f.Value))))
		}
	}
	if boundary == "" {
		return nil, ErrNotReport
	}
	mr := multipart.NewReader(io.MultiReader(bytes.NewReader(first), br), boundary)
	seen := false
	for i := 0; i < maxParts; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if rep.Original != nil && in.n >= MaxInput {
				rep.Truncated = true
				break
			}
			return nil, fmt.Errorf("%w: MIME part %d: %v", ErrMalformed, i+1, err)
		}
		done, err := rep.readPart(p, &seen, in)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	if !seen || rep.FeedbackType == "" {
		return nil, fmt.Errorf("%w: no message/feedback-report part with a Feedback-Type field", ErrMalformed)
	}
	return rep, nil
}

// reportBoundary returns the boundary of a multipart/report;
// report-type=feedback-report Content-Type value, "" for any other.
func reportBoundary(v string) string {
	mt, params, err := mime.ParseMediaType(mailmsg.Unfold(v))
	if err != nil || mt != "multipart/report" || !strings.EqualFold(params["report-type"], "feedback-report") {
		return ""
	}
	return params["boundary"]
}

// readPart reads one part into rep: the fields or the reported message.
// done is true when the input was cut inside the reported message.
func (rep *Report) readPart(p *multipart.Part, seen *bool, in *countingReader) (done bool, err error) {
	mt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
	var body io.Reader = p
	if strings.EqualFold(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")), "base64") {
		body = base64.NewDecoder(base64.StdEncoding, &lineSkipper{r: p})
	}
	switch mt {
	case "message/feedback-report":
		if *seen {
			return false, nil // §2 (c): one; later ones are ignored
		}
		*seen = true
		data, err := io.ReadAll(io.LimitReader(body, maxHeaderBytes))
		if err != nil {
			return false, fmt.Errorf("%w: feedback-report part: %v", ErrMalformed, err)
		}
		fs, _, err := mailmsg.ReadHeaderLimits(bufio.NewReader(bytes.NewReader(data)), mailmsg.Limits{Fields: MaxFields})
		if err != nil && err != mailmsg.ErrHeaderFields {
			return false, fmt.Errorf("%w: feedback-report fields: %v", ErrMalformed, err)
		}
		for _, f := range fs {
			rep.setField(f.Name, f.Value)
		}
	case "message/rfc822", "message/global", "text/rfc822-headers":
		if rep.Original != nil {
			return false, nil
		}
		data, err := io.ReadAll(io.LimitReader(body, MaxOriginal+1))
		cut := err != nil && in.n >= MaxInput
		if err != nil && !cut {
			return false, fmt.Errorf("%w: reported message: %v", ErrMalformed, err)
		}
		rep.setOriginal(data)
		rep.Truncated = rep.Truncated || cut
		return cut && in.n >= MaxInput, nil
	}
	return false, nil
}

// setOriginal keeps data, cut to MaxOriginal, as the reported message
// and parses its header.
func (rep *Report) setOriginal(data []byte) {
	if len(data) > MaxOriginal {
		data, rep.Truncated = data[:MaxOriginal], true
	}
	rep.Original = data
	rep.Header, _, _ = mailmsg.ReadHeaderLimits(bufio.NewReader(bytes.NewReader(data)),
		mailmsg.Limits{Bytes: maxHeaderBytes, Fields: MaxFields})
	if rep.Header == nil {
		rep.Header = []mailmsg.Field{}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// lineSkipper drops the spaces and tabs a base64 body may carry at line
// ends (RFC 2045 §6.8: decoders ignore them); encoding/base64 skips only
// CR and LF.
type lineSkipper struct{ r io.Reader }

func (l *lineSkipper) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != ' ' && c != '\t' {
			p[j] = c
			j++
		}
	}
	return j, err
}
