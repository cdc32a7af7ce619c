package auth

import (
	"context"
	"errors"
	"net"

	"milter91/internal/resolver"
)

// dnsError returns err as a fresh *net.DNSError for name, or nil when err is
// nil. The copy keeps only the classification flags and the message, so that
// the libraries' type assertions see it (they do not unwrap) and so that
// Details never carry the address of the nameserver that answered. An error
// that is not a DNS error (a context deadline, a socket error) is temporary:
// the lookup may succeed later.
func dnsError(name string, err error) error {
	if err == nil {
		return nil
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		n := de.Name
		if n == "" {
			n = name
		}
		return &net.DNSError{Err: de.Err, Name: n, IsNotFound: de.IsNotFound,
			IsTemporary: de.IsTemporary, IsTimeout: de.IsTimeout}
	}
	return &net.DNSError{Err: err.Error(), Name: name, IsTemporary: true,
		IsTimeout: errors.Is(err, context.DeadlineExceeded)}
}

// libResolver adapts a resolver.Resolver to the interface of
// blitiri.com.ar/go/spf (spf.DNSResolver), normalising every error with
// dnsError.
type libResolver struct{ r resolver.Resolver }

func (l libResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	v, err := l.r.LookupTXT(ctx, name)
	return v, dnsError(name, err)
}

func (l libResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	v, err := l.r.LookupMX(ctx, name)
	return v, dnsError(name, err)
}

func (l libResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	v, err := l.r.LookupIPAddr(ctx, host)
	return v, dnsError(host, err)
}

func (l libResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	v, err := l.r.LookupAddr(ctx, addr)
	return v, dnsError(addr, err)
}
