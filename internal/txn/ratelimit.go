package txn

import "time"

// RateLimit is the outbound rate limits' fact about one message
// (internal/ratelimit): the limit it exceeded, or why it was not counted.
type RateLimit struct {
	// Limited names the limit the message exceeded, "" when it fits every
	// limit (it is then counted) or none applies.
	Limited string
	// Scope is the limit's scope (sasl_user, client_ip, sender_domain) and
	// Key the value counted: the user, the address or its /64, the domain.
	Scope, Key string
	// Unit is messages or recipients.
	Unit string
	// Count is the units already in the sliding Window, without this
	// message; Max the most the window holds (the limit's count, or its
	// burst with the burst's window).
	Count, Max int64
	Window     time.Duration
	// RetryAfter is the earliest time the message fits, if nothing else is
	// counted meanwhile; 0 with Never (the message alone is over Max).
	RetryAfter time.Duration
	Never      bool
	// Counted is true when the message fit every limit and was counted.
	Counted bool
	// Unavailable is true when the counter store failed: the message was
	// not counted and no limit is known to be exceeded.
	Unavailable bool
	// Duplicate is true when every recipient was counted before (the same
	// queue ID, or the same Message-ID from the same sender): the message
	// counts once (internal/dedup).
	Duplicate bool
}
