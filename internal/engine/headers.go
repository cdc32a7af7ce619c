package engine

import (
	"mime"
	"net/mail"
	"strings"

	"github.com/emersion/go-message/charset"

	"milter91/decree"
	"milter91/internal/mailmsg"
)

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodedSubject returns the first Subject unfolded and decoded per
// RFC 2047 word by word (decree.DecodeHeader): one undecodable encoded
// word stays as written without hiding the others, unpadded base64 is
// accepted, and any charset go-message knows is converted. "" when there
// is no Subject.
func decodedSubject(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return decree.DecodeHeader(strings.TrimSpace(mailmsg.Unfold(values[0])))
}

// fromAddresses returns the RFC 5322.From addresses with the domain part
// lower-cased; unparsable values are skipped.
func fromAddresses(values []string) []string {
	var out []string
	for _, v := range values {
		list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(strings.TrimSpace(mailmsg.Unfold(v)))
		if err != nil {
			continue
		}
		for _, a := range list {
			if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
				out = append(out, a.Address[:i+1]+strings.ToLower(a.Address[i+1:]))
			}
		}
	}
	return out
}
