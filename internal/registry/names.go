package registry

// NormalizeAddress returns address a as the registry stores and compares
// it: without one pair of angle brackets, the whole address lower-cased,
// the domain as A-labels. Errors: no local@domain shape, a space or
// control character, a bad domain. Other stores keyed by a recipient
// (internal/userblock) use it, so that the same address is one key
// everywhere.
func NormalizeAddress(a string) (string, error) { return checkRecipient(a) }

// NormalizeDomain returns domain d lower-cased, without a trailing dot,
// as A-labels (RFC 5890). Errors: empty, an empty label, a character no
// host name has.
func NormalizeDomain(d string) (string, error) {
	if err := checkText("domain", d); err != nil {
		return "", err
	}
	return normDomain(d)
}
