package resolver

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// errMismatch is a response to another question (a late or forged answer).
var errMismatch = errors.New("response question does not match the query")

// fetch asks the servers in turn for key, stores a final answer in the
// cache and returns the result. It is detached from ctx's cancellation
// (ctx only supplies the Counter) so that an abandoned lookup still fills
// the cache; each attempt is bounded by Timeout, so the whole by
// Timeout × attempts. A budget shared by all attempts instead would let one
// late timer on a loaded host eat the retries.
func (c *Client) fetch(ctx context.Context, key cacheKey) result {
	qname, ok := wireName(key.name)
	if !ok {
		return result{notFound: true}
	}
	ctx = context.WithoutCancel(ctx)
	var last result
	for i := range c.cfg.attempts {
		res, ttl, final := c.attempt(ctx, c.cfg.servers[i%len(c.cfg.servers)], qname, key.qtype)
		if final {
			if ttl > 0 && c.cache != nil {
				c.cache.put(key, res, c.cfg.now().Add(ttl))
			}
			return res
		}
		last = res
	}
	return last
}

// attempt is one try on one server within Timeout: UDP, then TCP when the
// UDP answer is truncated (RFC 7766 §5). final is false for failures
// another server might not have.
func (c *Client) attempt(ctx context.Context, server, qname string, qtype uint16) (res result, ttl time.Duration, final bool) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.timeout)
	defer cancel()
	resp, err := c.exchange(ctx, c.udp, server, qname, qtype)
	if err == nil && resp.Truncated {
		resp, err = c.exchange(ctx, c.tcp, server, qname, qtype)
	}
	if err != nil {
		if isTimeout(err) {
			c.timeouts.Add(1)
			return result{reason: "i/o timeout", timeout: true}, 0, false
		}
		return result{reason: err.Error()}, 0, false
	}
	return c.classify(resp, qname, qtype)
}

// exchange sends one query with a fresh ID and EDNS0 over client and
// counts it in Stats and in ctx's Counter.
func (c *Client) exchange(ctx context.Context, client *dns.Client, server, qname string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(qname, qtype)
	m.SetEdns0(ednsSize, false)
	c.queries.Add(1)
	if ctr := CounterFrom(ctx); ctr != nil {
		ctr.Add(1)
	}
	resp, _, err := client.ExchangeContext(ctx, m, server)
	if err != nil {
		// A truncated UDP answer may be cut mid-record; its TC bit is
		// all we need to retry over TCP.
		if client == c.udp && resp != nil && resp.Truncated {
			return resp, nil
		}
		return nil, err
	}
	if !answersQuery(resp, qname, qtype) {
		return nil, errMismatch
	}
	return resp, nil
}

// answersQuery reports whether resp is an answer to (qname, qtype). An error
// rcode may come without the question section (some public resolvers send
// a bare REFUSED header); an answer or NXDOMAIN must repeat the question.
func answersQuery(resp *dns.Msg, qname string, qtype uint16) bool {
	if len(resp.Question) == 0 {
		return resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError
	}
	q := resp.Question[0]
	return len(resp.Question) == 1 && q.Qtype == qtype && strings.EqualFold(q.Name, qname)
}

// isTimeout reports whether err is a deadline or network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
