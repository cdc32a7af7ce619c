// Package cpumeter reports CPU time per benchmark iteration: on a loaded
// machine, and with checks running in parallel, wall time per op says
// little about the CPU a message costs.
package cpumeter

import (
	"syscall"
	"testing"
	"time"
)

// Process returns the process's user plus system CPU time (getrusage).
func Process(b testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Start begins a measurement; call the returned func after the loop to
// report "cpu-ns/op".
func Start(b *testing.B) func() {
	start := Process(b)
	return func() {
		b.ReportMetric(float64(Process(b)-start)/float64(b.N), "cpu-ns/op")
	}
}
