package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes res as one indented JSON document.
func WriteJSON(w io.Writer, res *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// WriteText writes res as an aligned table for people.
func WriteText(w io.Writer, res *Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{name}, args...)...)
	}
	row("target", "%s, %d connections, up to %d messages per connection", res.Target, res.Connections, res.PerConn)
	row("elapsed", "%.1f s", res.ElapsedSeconds)
	row("messages", "%d (%.1f/s) in %d sessions", res.Messages, res.Rate, res.Sessions)
	row("EOM round trip", "%s", latencies(res.EOM))
	row("whole message", "%s", latencies(res.Message))
	row("actions", "%s", counts(res.Actions))
	row("modifications", "%s", counts(res.Modifications))
	row("errors", "%d %s", res.ErrorCount(), counts(res.Errors))
	if res.ErrorSample != "" {
		row("first error", "%s", res.ErrorSample)
	}
	if res.Abandoned > 0 {
		row("abandoned", "%d (drain time ran out)", res.Abandoned)
	}
	if d := res.Daemon; d != nil {
		row("daemon CPU/message", "%.3f ms (%.2f s CPU, pid %d)", d.CPUPerMessageMs, d.CPUSeconds, d.PID)
		row("daemon peak RSS", "%.1f MiB sampled (%d samples), VmHWM %.1f MiB", mib(d.PeakRSSBytes), d.Samples, mib(d.HWMBytes))
	}
	if res.Messages > 0 {
		row("load generator CPU", "%.3f ms/message (%.2f s)", res.LoadgenCPUSeconds*1000/float64(res.Messages), res.LoadgenCPUSeconds)
	}
	return tw.Flush()
}

// latencies formats percentiles in milliseconds.
func latencies(p Percentiles) string {
	return fmt.Sprintf("p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms", p.P50, p.P90, p.P99, p.Max)
}

// counts formats a count map as "a 3, b 1" in key order; "-" when empty.
func counts(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
