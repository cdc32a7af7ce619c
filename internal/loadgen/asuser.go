package loadgen

import "strings"

// AsUser makes every message of c come from one authenticated client: the
// SASL login user (with its own envelope sender when user is an address)
// from the first message's client address, over submission. Replayed so,
// a corpus shows an outbound rate limit per SASL user hold: the messages
// past the limit are deferred (tempfail). A corpus replayed past its size
// repeats its Message-IDs, which the counted-once marks take for resends.
func (c *Corpus) AsUser(user string) {
	if len(c.Messages) == 0 {
		return
	}
	ip := c.Messages[0].ClientIP
	for _, m := range c.Messages {
		m.ClientIP, m.AuthUser = ip, user
		m.Helo = "submission.example.net"
		if strings.Contains(user, "@") {
			m.MailFrom = user
		}
	}
}
