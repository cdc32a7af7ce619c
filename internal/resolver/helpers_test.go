package resolver

import (
	"sync"
	"testing"
	"time"

	"milter91/internal/testdns"
)

// clock is a settable time source for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// serve starts a test DNS server for the records and stops it at the end.
func serve(t testing.TB, rrs ...string) (*testdns.Server, *testdns.Zone) {
	t.Helper()
	z := testdns.NewZone()
	for _, rr := range rrs {
		if err := z.Add(rr); err != nil {
			t.Fatal(err)
		}
	}
	s, err := testdns.Start(z)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, z
}

// client returns a Client for cfg, with the servers of srvs prepended, a
// 1s timeout and no retry unless cfg says otherwise.
func client(t testing.TB, cfg Config, srvs ...*testdns.Server) *Client {
	t.Helper()
	var addrs []string
	for _, s := range srvs {
		addrs = append(addrs, s.Addr())
	}
	cfg.Servers = append(addrs, cfg.Servers...)
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = -1
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
