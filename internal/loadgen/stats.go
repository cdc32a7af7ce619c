package loadgen

import (
	"maps"
	"math"
	"slices"
	"syscall"
	"time"
)

// Result is the measurement of one Run. Latencies are in milliseconds.
type Result struct {
	Target      string `json:"target"`
	Connections int    `json:"connections"`
	PerConn     int    `json:"messages_per_connection"`
	// ElapsedSeconds runs from the first dial to the last message done.
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	// Messages counts the messages that got a decision; Rate is
	// Messages / ElapsedSeconds.
	Messages int     `json:"messages"`
	Rate     float64 `json:"messages_per_second"`
	Sessions int     `json:"sessions"`
	// EOM is the end-of-message round trip (SMFIC_BODYEOB sent to the
	// final reply read); Message is MAIL FROM to that reply.
	EOM     Percentiles `json:"eom_latency_ms"`
	Message Percentiles `json:"message_latency_ms"`
	// Actions counts the final decisions (accept, reject, tempfail,
	// discard); Modifications the end-of-message changes by type
	// (insert_header, add_header, change_header, quarantine, del_rcpt, …).
	Actions       map[string]int `json:"actions"`
	Modifications map[string]int `json:"modifications"`
	// Errors counts protocol and connection failures by stage: session
	// (dial, option negotiation), connect, helo, mail, rcpt, data, header,
	// eoh, body, eom, abort. ErrorSample is the first one's text.
	Errors      map[string]int `json:"errors"`
	ErrorSample string         `json:"error_sample,omitempty"`
	// Abandoned are messages cut off when the drain time ran out.
	Abandoned int `json:"abandoned"`
	// LoadgenCPUSeconds is this process's own user+system CPU during the run.
	LoadgenCPUSeconds float64      `json:"loadgen_cpu_seconds"`
	Daemon            *DaemonStats `json:"daemon,omitempty"`
}

// Percentiles of a latency distribution, in milliseconds (nearest rank).
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// ErrorCount returns the number of failed messages.
func (r *Result) ErrorCount() int {
	n := 0
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// tally is one worker's counts; merged after the run.
type tally struct {
	messages, sessions, abandoned int
	actions, mods, errors         map[string]int
	errSample                     string
	eom, total                    []time.Duration
}

func newTally() *tally {
	return &tally{actions: map[string]int{}, mods: map[string]int{}, errors: map[string]int{}}
}

// add counts one outcome: a failure by stage, or a decision with its
// modifications and, when it came at end of message, its latencies.
func (t *tally) add(o outcome) {
	if o.err != nil {
		t.errors[o.errStage]++
		if t.errSample == "" {
			t.errSample = o.errStage + ": " + o.err.Error()
		}
		return
	}
	t.messages++
	t.actions[o.action]++
	for _, m := range o.mods {
		t.mods[m]++
	}
	if o.total > 0 {
		t.eom = append(t.eom, o.eom)
		t.total = append(t.total, o.total)
	}
}

// summarize merges the workers' tallies.
func summarize(tallies []*tally, elapsed time.Duration) *Result {
	res := &Result{ElapsedSeconds: elapsed.Seconds(), Actions: map[string]int{}, Modifications: map[string]int{}, Errors: map[string]int{}}
	var eom, total []time.Duration
	for _, t := range tallies {
		res.Messages += t.messages
		res.Sessions += t.sessions
		res.Abandoned += t.abandoned
		addCounts(res.Actions, t.actions)
		addCounts(res.Modifications, t.mods)
		addCounts(res.Errors, t.errors)
		if res.ErrorSample == "" {
			res.ErrorSample = t.errSample
		}
		eom = append(eom, t.eom...)
		total = append(total, t.total...)
	}
	if elapsed > 0 {
		res.Rate = float64(res.Messages) / elapsed.Seconds()
	}
	res.EOM, res.Message = percentiles(eom), percentiles(total)
	return res
}

func addCounts(dst, src map[string]int) {
	for k, v := range src {
		dst[k] += v
	}
}

// percentiles sorts d and returns its p50, p90, p99 and maximum in
// milliseconds; all zero for no values.
func percentiles(d []time.Duration) Percentiles {
	slices.Sort(d)
	ms := func(v time.Duration) float64 { return float64(v) / float64(time.Millisecond) }
	return Percentiles{P50: ms(percentile(d, 50)), P90: ms(percentile(d, 90)), P99: ms(percentile(d, 99)), Max: ms(percentile(d, 100))}
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted: the smallest value with at least p % of the values at or below
// it. It returns 0 for no values and clamps p to (0, 100].
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(min(max(p, 0), 100) * float64(len(sorted)) / 100))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// sortedKeys returns the keys of m in order, for stable output.
func sortedKeys(m map[string]int) []string {
	return slices.Sorted(maps.Keys(m))
}

// selfCPU returns this process's user+system CPU time (getrusage), 0 when
// unavailable.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
