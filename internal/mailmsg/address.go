package mailmsg

import (
	"io"
	"mime"
	"net/mail"
	"strings"

	"github.com/emersion/go-message/charset"
)

// Address is one mailbox of an address list (RFC 5322 §3.4): the display
// name, RFC 2047 decoded where its charset is known, and the addr-spec
// local@domain with the domain lower-cased.
type Address struct {
	Name string
	Addr string
}

// Domain returns the domain part of the addr-spec as written (lower
// case): the text after its last "@". Parse it with ParseDomain.
func (a Address) Domain() string {
	return a.Addr[strings.LastIndexByte(a.Addr, '@')+1:]
}

// addressParser parses address lists with net/mail. A display name in a
// charset go-message does not know is kept undecoded rather than failing
// the whole field: only the addr-spec matters to the checks, and an
// unknown charset must not hide a From address from DMARC.
var addressParser = mail.AddressParser{WordDecoder: &mime.WordDecoder{
	CharsetReader: func(cs string, input io.Reader) (io.Reader, error) {
		if r, err := charset.Reader(cs, input); err == nil {
			return r, nil
		}
		return input, nil
	},
}}

// ParseAddressList parses one address-list field value (From, Reply-To,
// To; RFC 5322 §3.4, §3.6.2), raw as received, folded or not: it is
// unfolded and trimmed first. Groups give their members; an empty group
// gives none. The error says why the value is no address list (an empty
// value is none). This and the View's From are the one address parser of
// milter91.
func ParseAddressList(value string) ([]Address, error) {
	list, err := addressParser.ParseList(strings.TrimSpace(Unfold(value)))
	if err != nil {
		return nil, err
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		addr := a.Address
		if i := strings.LastIndexByte(addr, '@'); i >= 0 {
			addr = addr[:i+1] + strings.ToLower(addr[i+1:])
		}
		out = append(out, Address{Name: a.Name, Addr: addr})
	}
	return out, nil
}

// FromStatus says what the From fields of a message hold (RFC 5322
// §3.6.2); the rule fact from_status.
type FromStatus string

// From statuses.
const (
	// FromOK: every From field is an address list with, together, one or
	// more mailboxes.
	FromOK FromStatus = "ok"
	// FromMissing: the message has no From field (RFC 5322 §3.6 requires
	// one).
	FromMissing FromStatus = "missing"
	// FromEmpty: the From fields parse but name no mailbox (an empty
	// group such as "undisclosed-recipients:;").
	FromEmpty FromStatus = "empty"
	// FromUnparsable: a From field is not an address list (an empty value
	// included).
	FromUnparsable FromStatus = "unparsable"
)

// From is the RFC 5322.From of a message.
type From struct {
	Status FromStatus
	// Addresses are the mailboxes of the From fields that parse, in
	// order; with FromUnparsable, those of the other fields.
	Addresses []Address
	// Err is why the first unparsable From field does not parse, ""
	// otherwise.
	Err string
	// Fields counts the From fields; RFC 5322 §3.6 allows one.
	Fields int
}

// ParseFrom parses the values of a message's From fields, raw as received
// (see ParseAddressList). It always returns a defined Status.
func ParseFrom(values []string) From {
	f := From{Fields: len(values)}
	for _, v := range values {
		list, err := ParseAddressList(v)
		if err != nil {
			if f.Err == "" {
				f.Err = err.Error()
			}
			continue
		}
		f.Addresses = append(f.Addresses, list...)
	}
	switch {
	case len(values) == 0:
		f.Status = FromMissing
	case f.Err != "":
		f.Status = FromUnparsable
	case len(f.Addresses) == 0:
		f.Status = FromEmpty
	default:
		f.Status = FromOK
	}
	return f
}

// Addrs returns the addr-specs of f.Addresses, nil when there is none.
func (f *From) Addrs() []string {
	if len(f.Addresses) == 0 {
		return nil
	}
	out := make([]string, len(f.Addresses))
	for i, a := range f.Addresses {
		out[i] = a.Addr
	}
	return out
}

// Domain returns the domain of the single From mailbox as written (lower
// case), "" when there is none or more than one.
func (f *From) Domain() string {
	if len(f.Addresses) != 1 {
		return ""
	}
	return f.Addresses[0].Domain()
}
