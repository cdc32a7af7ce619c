package userblock

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"milter91/internal/registry"
)

// MaxNote bounds Block.Note in bytes (our choice: a line of explanation).
const MaxNote = 512

// normalize validates b and returns it with normalised fields and its
// time truncated to the millisecond, UTC. The error is an *InvalidError.
func (b Block) normalize() (Block, error) {
	var errs []error
	var err error
	if b.Recipient, err = registry.NormalizeAddress(b.Recipient); err != nil {
		errs = append(errs, err)
	}
	b.Kind = strings.ToLower(strings.TrimSpace(b.Kind))
	if b.Value, err = normValue(b.Kind, b.Value); err != nil {
		errs = append(errs, err)
	}
	switch b.Source {
	case SourceAPI, SourceCLI, SourceReport:
	default:
		errs = append(errs, fmt.Errorf("source %q: want %s, %s or %s", b.Source, SourceAPI, SourceCLI, SourceReport))
	}
	b.Note = strings.TrimSpace(b.Note)
	if len(b.Note) > MaxNote || !utf8.ValidString(b.Note) || strings.IndexByte(b.Note, 0) >= 0 {
		errs = append(errs, fmt.Errorf("note: want UTF-8 text without NUL, at most %d bytes", MaxNote))
	}
	b.Time = b.Time.UTC().Truncate(time.Millisecond)
	if b.Time.UnixMilli() < 0 {
		errs = append(errs, errors.New("time before 1970"))
	}
	if len(errs) > 0 {
		return b, &InvalidError{Reasons: errs}
	}
	return b, nil
}

// normValue normalises the blocked value of kind: an address for
// KindAddress, a domain for the others.
func normValue(kind, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch kind {
	case KindAddress:
		return registry.NormalizeAddress(v)
	case KindDomain, KindAdvertiser:
		d, err := registry.NormalizeDomain(strings.TrimPrefix(v, "@"))
		if err != nil {
			return "", fmt.Errorf("%s: %w", kind, err)
		}
		return d, nil
	}
	return "", fmt.Errorf("kind %q: want %s, %s or %s", kind, KindAddress, KindDomain, KindAdvertiser)
}
