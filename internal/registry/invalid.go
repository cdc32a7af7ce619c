package registry

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalid matches (errors.Is) every error of input the registry refuses:
// a record with an invalid field (*InvalidError), an import with invalid
// lines (*ImportError), a filter or listing key no record can have. Any
// other error is a store failure. The admin API answers the first kind
// 400, the CLI exits 2 on it.
var ErrInvalid = errors.New("registry: invalid input")

// InvalidError is a record or filter the registry refuses; Reasons name
// every invalid field.
type InvalidError struct {
	Reasons []string
}

// Error joins the reasons with "; ".
func (e *InvalidError) Error() string { return strings.Join(e.Reasons, "; ") }

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// invalid wraps errs as an *InvalidError; nil when there are none.
func invalid(errs ...error) error {
	if len(errs) == 0 {
		return nil
	}
	reasons := make([]string, len(errs))
	for i, e := range errs {
		reasons[i] = e.Error()
	}
	return &InvalidError{Reasons: reasons}
}

// checkText refuses what a PostgreSQL text column cannot hold, a NUL byte
// and bytes that are not UTF-8 (the database encoding), so that both
// backends take the same records and the error is the caller's, not the
// store's. Field names the value in the error; positions count bytes from 1.
func checkText(field, s string) error {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0:
			return fmt.Errorf("%s: NUL byte at byte %d", field, i+1)
		case r == utf8.RuneError && n == 1:
			return fmt.Errorf("%s: not UTF-8 at byte %d", field, i+1)
		}
		i += n
	}
	return nil
}
