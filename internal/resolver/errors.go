package resolver

import (
	"errors"
	"net"
)

func asDNSError(err error, target **net.DNSError) bool {
	return errors.As(err, target)
}

// NotFound returns the error for NXDOMAIN or NODATA on name.
func NotFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// Temporary returns the error for a timeout or SERVFAIL on name; reason is
// e.g. "SERVFAIL" or "i/o timeout".
func Temporary(name, reason string, timeout bool) error {
	return &net.DNSError{Err: reason, Name: name, IsTemporary: true, IsTimeout: timeout}
}
