package sqldb

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"milter91/internal/dsn"
)

// RedactError returns err with every password of target masked in its
// text (as written and decoded), nil for nil. A connection string that
// pgx cannot parse gives a fixed text when target holds a password: its
// message may quote pieces of it. errors.Is and errors.As see err.
func RedactError(target string, err error) error {
	if err == nil {
		return nil
	}
	secrets := dsn.Secrets(target)
	if len(secrets) == 0 {
		return err
	}
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return &redactedError{err: err, text: "cannot parse the connection string (details withheld: they may quote the password)"}
	}
	return &redactedError{err: err, text: dsn.Scrub(err.Error(), secrets)}
}

type redactedError struct {
	err  error
	text string
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }
