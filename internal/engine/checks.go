package engine

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"milter91/decree"
	"milter91/internal/auth"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// runChecks fills f. SPF, DKIM and the blocklists run concurrently; DMARC
// needs both SPF and DKIM and runs after them. A panicking check is
// recovered, logged and named in f.CheckErrors; a DNS timeout is a
// temperror fact, not a fault.
func (e *Engine) runChecks(ctx context.Context, t *txn.Transaction, msg *mailmsg.View, f *txn.Facts, body func() *decree.Body) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	run := func(name string, check func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.guard(t, f, &mu, name, check)
		}()
	}
	var spf txn.SPF
	var dkim []txn.DKIM
	var bl []txn.DNSBL
	var blSkipped int
	run("spf", func() {
		spf = auth.CheckSPF(ctx, e.opt.Resolver, t.Conn.ClientIP, t.Conn.HELO, t.MailFrom)
	})
	run("dkim", func() {
		var err error
		dkim, err = auth.VerifyDKIMFields(ctx, e.opt.Resolver, t.Headers, t.BodyReader(), e.opt.MaxDKIM)
		if err != nil && ctx.Err() == nil {
			panic(fmt.Sprintf("reading message: %v", err))
		}
	})
	var lists []txn.ListHit
	if e.opt.DNSBL != nil || e.opt.Lists != nil {
		run("dnsbl", func() {
			s := e.blocklistSubject(t, msg, body)
			if e.opt.Lists != nil {
				lists = e.opt.Lists.Check(s)
			}
			if e.opt.DNSBL != nil {
				bl, blSkipped = e.opt.DNSBL.CheckMessage(ctx, e.opt.Resolver, s, e.opt.DNSBLLimits)
			}
		})
	}
	wg.Wait()
	f.SPF, f.DKIM, f.DNSBL, f.DNSBLSkipped, f.Lists = spf, dkim, bl, blSkipped, lists
	e.guard(t, f, &mu, "dmarc", func() {
		f.DMARC = auth.CheckDMARC(ctx, e.opt.Resolver, msg.From, f.SPF, f.DKIM)
	})
	f.Temperrors = temperrors(f)
}

// guard runs check, timing it and recovering a panic into f.CheckErrors.
func (e *Engine) guard(t *txn.Transaction, f *txn.Facts, mu *sync.Mutex, name string, check func()) {
	start := time.Now()
	defer func() {
		r := recover()
		mu.Lock()
		defer mu.Unlock()
		f.Durations[name] = time.Since(start)
		if r != nil {
			f.CheckErrors = append(f.CheckErrors, name)
			e.opt.Logger.Error("check failed", "queue_id", t.QueueID, "check", name,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	check()
}

// temperrors names the checks whose result is temperror (RFC 8601 §2.7).
func temperrors(f *txn.Facts) []string {
	var out []string
	if f.SPF.Result == txn.ResultTemperror {
		out = append(out, "spf")
	}
	for _, d := range f.DKIM {
		if d.Result == txn.ResultTemperror {
			out = append(out, "dkim")
			break
		}
	}
	if f.DMARC.Result == txn.ResultTemperror {
		out = append(out, "dmarc")
	}
	for _, b := range f.DNSBL {
		if b.Result == "temperror" {
			out = append(out, "dnsbl")
			break
		}
	}
	return out
}
